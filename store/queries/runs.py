"""Crawl runs: recent runs with their outcome, and each source's state (the data shown, the latest
attempt). A run still marked running whose process is gone shows as killed."""

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

from store.queries.snapshot import RUN_DAY, AsOf, records, rows


def _process_started(pid: int) -> float | None:
    """When process `pid` started (Unix time), from /proc; None where there is no /proc."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def _alive(pid: int | None, started_at: datetime | None) -> bool:
    """Whether the process that started the run still runs: a process with its pid that started
    after the run did is another one (the pid was reused)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    began = _process_started(pid)
    return began is None or started_at is None or began <= started_at.timestamp() + 1.0


# What runs() and source_states() give of a run.
RUN_FIELDS = [
    "id",
    "source",
    "origin",
    "started_at",
    "finished_at",
    "data_day",
    "status",
    "items",
    "invalid_items",
    "errors",
    "close_reason",
    "message",
]
_RUN_COLUMNS = ", ".join(f"{RUN_DAY} AS data_day" if f == "data_day" else f for f in [*RUN_FIELDS, "pid"])


def _runs(cursor) -> list[dict]:
    """Run rows; one still marked running whose process is gone shows as `killed`: it never
    finished, so it was never loaded."""
    result = []
    for run in rows(cursor):
        if run["status"] == "running" and not _alive(run["pid"], run["started_at"]):
            run["status"] = "killed"
        del run["pid"]
        result.append(run)
    return result


def runs(con: duckdb.DuckDBPyConnection, source: str | None = None, limit: int = 50, stats: bool = False) -> list[dict]:
    """Recent runs, newest first; with `stats`, each with the crawl stats it stored (a dict)."""
    found = _runs(
        con.execute(
            f"SELECT {_RUN_COLUMNS}, stats FROM crawl_run"
            " WHERE $source::VARCHAR IS NULL OR source = $source::VARCHAR ORDER BY id DESC LIMIT $limit",
            {"source": source, "limit": limit},
        )
    )
    for run in found:
        stored = run.pop("stats")
        if stats:
            run["stats"] = json.loads(stored) if stored else {}
    return found


def run_exists(con: duckdb.DuckDBPyConnection, run_id: int) -> bool:
    return con.execute("SELECT count(*) FROM crawl_run WHERE id = $id", {"id": run_id}).fetchone()[0] > 0


def first_loaded_day(con: duckdb.DuckDBPyConnection):
    """The day of the first loaded run's data (None: nothing loaded yet)."""
    return con.execute(f"SELECT min({RUN_DAY}) FROM crawl_run WHERE status = 'loaded'").fetchone()[0]


def run_stats(con: duckdb.DuckDBPyConnection, run_id: int) -> dict | None:
    """The crawl stats a run stored (Scrapy's and labelwatch's counters), or None."""
    row = con.execute("SELECT stats FROM crawl_run WHERE id = $id", {"id": run_id}).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def source_states(con: duckdb.DuckDBPyConnection, sources: list[str]) -> dict[str, dict]:
    """Per source: the data shown (latest loaded run) and the latest attempt, for freshness
    and for "last crawl failed on <date>: <reason>, showing data of <date>"."""
    latest = _runs(
        con.execute(
            f"SELECT {_RUN_COLUMNS} FROM crawl_run WHERE id IN (SELECT max(id) FROM crawl_run GROUP BY source"
            " UNION SELECT max(id) FROM crawl_run WHERE status = 'loaded' GROUP BY source) ORDER BY id DESC"
        )
    )
    states = {s: {"loaded": None, "latest": None, "newest": None} for s in sources}
    for run in latest:
        state = states.setdefault(run["source"], {"loaded": None, "latest": None, "newest": None})
        state["latest"] = state["latest"] or run
        if run["status"] == "loaded":
            state["loaded"] = state["loaded"] or run
    for source, newest in newest_records(con).items():
        states.setdefault(source, {"loaded": None, "latest": None, "newest": None})["newest"] = newest
    return states


def newest_records(con: duckdb.DuckDBPyConnection) -> dict:
    """Per source: the latest certification or registration date among its current records, the
    age of the registry's data rather than of the crawl (a replay of 2024 data is 2024 data)."""
    found = records(con, AsOf())
    return dict(
        con.execute(f"SELECT source, max(valid_from) FROM ({found.sql}) GROUP BY source", found.params).fetchall()
    )
