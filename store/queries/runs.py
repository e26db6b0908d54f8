"""Crawl runs: recent runs with their outcome, and each source's state (the data shown, the latest
attempt). A run still marked running whose process is gone shows as killed."""

import json
import os

import duckdb

from store.queries.snapshot import rows


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# What runs() and source_states() give of a run.
RUN_FIELDS = [
    "id",
    "source",
    "origin",
    "started_at",
    "finished_at",
    "status",
    "items",
    "invalid_items",
    "errors",
    "close_reason",
    "message",
]
_RUN_COLUMNS = ", ".join([*RUN_FIELDS, "pid"])


def _runs(cursor) -> list[dict]:
    """Run rows; one still marked running whose process is gone shows as `killed`: it never
    finished, so it was never loaded."""
    result = []
    for run in rows(cursor):
        if run["status"] == "running" and not _alive(run["pid"]):
            run["status"] = "killed"
        del run["pid"]
        result.append(run)
    return result


def runs(con: duckdb.DuckDBPyConnection, source: str | None = None, limit: int = 50) -> list[dict]:
    """Recent runs, newest first."""
    return _runs(
        con.execute(
            f"SELECT {_RUN_COLUMNS} FROM crawl_run WHERE $source::VARCHAR IS NULL OR source = $source::VARCHAR"
            " ORDER BY id DESC LIMIT $limit",
            {"source": source, "limit": limit},
        )
    )


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
    states = {s: {"loaded": None, "latest": None} for s in sources}
    for run in latest:
        state = states.setdefault(run["source"], {"loaded": None, "latest": None})
        state["latest"] = state["latest"] or run
        if run["status"] == "loaded":
            state["loaded"] = state["loaded"] or run
    return states
