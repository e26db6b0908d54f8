"""Run bookkeeping and the one-transaction bulk load of a finished run's file."""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from store import derived
from store.monitors import Thresholds, data_reasons
from store.records import CERTIFICATION, KINDS
from store.run_files import read_header, run_file_path, write_header
from store.schema import database_id, rollback, write_connection

LOAD_MEMORY_LIMIT = "384MB"  # DuckDB spills to disk beyond this, so a load stays lean at any size


class LoadRefused(RuntimeError):
    """The run file cannot become the current data of its source."""


class HeldBack(RuntimeError):
    """The run failed a monitor check and was recorded as suspect."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# Stat a replay sets (crawlers.replay): the newest `Date` of the recorded answers it served, so a
# replay of 2024 data describes a day in 2024, not the day it was replayed.
RECORDED_ON = "labelwatch/replay/recorded_on"


def data_day(stats: dict) -> date:
    """The day a run's data describes: its recording's day (RECORDED_ON), else today (the crawl's)."""
    try:
        return date.fromisoformat(stats[RECORDED_ON])
    except (KeyError, TypeError, ValueError):
        return now().date()


def now() -> datetime:
    return datetime.now(UTC)


def start_run(db: Path, source: str, origin: str, kind: str = CERTIFICATION.table) -> tuple[int, Path]:
    """Record a run as running; return its id and its run file (created, with its header)."""
    if kind not in KINDS:
        raise ValueError(f"{source}: unknown record kind {kind!r}")
    with write_connection(db) as con:
        (run_id,) = con.execute(
            "INSERT INTO crawl_run (source, origin, started_at, status, pid, items, invalid_items, errors, record_kind)"
            " VALUES ($source, $origin, $started, 'running', $pid, 0, 0, 0, $kind) RETURNING id",
            {"source": source, "origin": origin, "started": now(), "pid": os.getpid(), "kind": kind},
        ).fetchone()
        path = run_file_path(db, source, run_id)
        con.execute("UPDATE crawl_run SET run_file = $f WHERE id = $id", {"f": str(path), "id": run_id})
        write_header(path, database_id(con), source, run_id)
    return run_id, path


def _check_run_file(con, run_file: Path, source: str, run_id: int) -> None:
    """Refuse a run file whose header does not name this database, source and run."""
    if not run_file.is_file():
        raise LoadRefused(f"run {run_id}: run file {run_file} is missing")
    header = read_header(run_file)
    expected = {"database": database_id(con), "source": source, "run_id": run_id}
    if header != expected:
        found = "no header (written by an older labelwatch?)" if header is None else f"header {header}"
        raise LoadRefused(
            f"run {run_id}: {run_file} is not this database's run file for {source} run {run_id}: {found}"
        )


def fail_run(db: Path, run_id: int, reason: str, message: str, stats: dict, counts: dict) -> None:
    """Record a run as failed; the source's current data is left as it was."""
    with write_connection(db) as con:
        con.execute(
            "UPDATE crawl_run SET status = 'failed', finished_at = $t, close_reason = $reason,"
            " message = $message, stats = $stats, items = $items, invalid_items = $invalid,"
            " errors = $errors WHERE id = $id",
            {
                "t": now(),
                "reason": reason,
                "message": message,
                "stats": json.dumps(stats, default=str),
                "id": run_id,
                **counts,
            },
        )


def load_run(
    db: Path,
    run_id: int,
    source: str,
    run_file: Path,
    stats: dict,
    counts: dict,
    checks: Thresholds | None = None,
    held: list[str] | None = None,
    own_file: bool = True,
) -> int:
    """Make a finished run the current data of its source, in one transaction.

    `own_file`: the run file must be this database's file of this run (its header, see
    store.run_files); only a benchmark loading a file it wrote itself passes False.

    Lines are grouped by record_key (GTINs and part numbers of duplicates merged). A record unchanged since the
    source's previous loaded run extends its version's last_run_id; anything new or changed
    becomes a new version. Returns the number of distinct records loaded.

    With `checks`, the monitors (store.monitors) run first; reasons found there or passed in
    `held` roll the load back, record the run as suspect and raise HeldBack.
    """
    day = data_day(stats)
    with write_connection(db) as con:
        con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET threads = 2")  # hashing is CPU-bound; the memory limit, not the thread count, bounds memory
        con.execute("BEGIN TRANSACTION")
        try:
            if own_file:
                _check_run_file(con, run_file, source, run_id)
            kind = KINDS[con.execute("SELECT record_kind FROM crawl_run WHERE id = $id", {"id": run_id}).fetchone()[0]]
            newer = con.execute(
                "SELECT max(id) FROM crawl_run WHERE source = $s AND status = 'loaded' AND id > $id",
                {"s": source, "id": run_id},
            ).fetchone()[0]
            if newer is not None:
                raise LoadRefused(f"{source}: run {run_id} is older than loaded run {newer}")
            (previous,) = con.execute(
                "SELECT coalesce(max(id), -1) FROM crawl_run WHERE source = $s AND status = 'loaded'",
                {"s": source},
            ).fetchone()
            content_hash = f"{kind.content_hash} AS content_hash"
            present = (
                f"* REPLACE ({', '.join(f'coalesce({c}, []::VARCHAR[]) AS {c}' for c in kind.lists)})"
                if kind.lists
                else "*"
            )
            con.execute(
                f"CREATE TEMP TABLE incoming AS SELECT *, {content_hash} FROM (SELECT {present}"
                " FROM read_json($file, format = 'newline_delimited', columns = $columns)"
                " WHERE source IS NOT NULL)",  # the header line (store.run_files) has none of the columns
                {"file": str(run_file), "columns": kind.columns},
            )
            foreign, repeated = con.execute(
                "SELECT count(*) FILTER (WHERE source <> $source OR run_id <> $run), count(*) - count(DISTINCT record_key)"
                " FROM incoming",
                {"source": source, "run": run_id},
            ).fetchone()
            if foreign:
                raise LoadRefused(f"{run_file}: {foreign} lines belong to another source or run")
            if repeated:  # merge the lines of a record seen more than once (a certificate's GTINs over several pages)
                (conflicting,) = con.execute(
                    f"""SELECT count(*) FROM (
                        SELECT record_key FROM incoming
                        WHERE record_key IN (SELECT record_key FROM incoming GROUP BY record_key HAVING count(*) > 1)
                        GROUP BY record_key HAVING count(DISTINCT hash({", ".join(kind.attributes)})) > 1)"""
                ).fetchone()
                if conflicting:  # same key, other data: one line's kept (any_value), the conflict counted
                    stats = {**stats, "labelwatch/duplicates/conflicting": conflicting}
                aggregates = ", ".join(f"any_value({c}) AS {c}" for c in ["source", "run_id", *kind.attributes])
                merged = "".join(f", list_sort(list_distinct(flatten(list({c})))) AS {c}" for c in kind.lists)
                con.execute(f"""CREATE TEMP TABLE merged AS SELECT *, {content_hash} FROM (
                    SELECT record_key, {aggregates}{merged} FROM incoming
                    WHERE record_key IN (SELECT record_key FROM incoming GROUP BY record_key HAVING count(*) > 1)
                    GROUP BY record_key)""")
                con.execute("DELETE FROM incoming WHERE record_key IN (SELECT record_key FROM merged)")
                con.execute("INSERT INTO incoming BY NAME SELECT * FROM merged")
                con.execute("DROP TABLE merged")
            reasons = [*(held or []), *(data_reasons(con, kind.table, source, previous, checks, day) if checks else [])]
            if reasons:
                raise HeldBack(reasons)
            table = kind.table
            con.execute(
                f"""UPDATE {table} SET last_run_id = $run FROM incoming i
                WHERE {table}.source = $source AND {table}.record_key = i.record_key
                  AND {table}.last_run_id = $previous AND {table}.content_hash = i.content_hash""",
                {"run": run_id, "source": source, "previous": previous},
            )
            columns = ", ".join([*kind.attributes, *kind.lists])
            con.execute(
                f"""INSERT INTO {table} (source, record_key, first_run_id, last_run_id, content_hash, {columns})
                SELECT $source, record_key, $run, $run, content_hash, {columns} FROM incoming i
                WHERE NOT EXISTS (SELECT 1 FROM {table} c WHERE c.source = $source
                                  AND c.record_key = i.record_key AND c.last_run_id = $run)""",
                {"run": run_id, "source": source},
            )
            (records,) = con.execute("SELECT count(*) FROM incoming").fetchone()
            finished = now()
            con.execute(
                "UPDATE crawl_run SET status = 'loaded', finished_at = $t, data_day = $day, close_reason = 'finished',"
                " message = NULL, stats = $stats, items = $items, invalid_items = $invalid, errors = $errors"
                " WHERE id = $id",
                {"t": finished, "day": day, "stats": json.dumps(stats, default=str), "id": run_id, **counts},
            )
            if kind is CERTIFICATION:
                # the merged lines are the source's records at this run: no need to find them among the versions
                derived.after_load(con, source, run_id, day, "SELECT * FROM incoming WHERE source = $source")
            else:
                derived.refresh_offer_matches(con)
            con.execute("DROP TABLE incoming")
            con.execute("COMMIT")
        except HeldBack as held_back:
            rollback(con)
            con.execute(
                "UPDATE crawl_run SET status = 'suspect', finished_at = $t, data_day = $day, close_reason = 'finished',"
                " message = $m, stats = $stats, items = $items, invalid_items = $invalid, errors = $errors WHERE id = $id",
                {
                    "t": now(),
                    "day": day,
                    "m": f"held back: {held_back}",
                    "stats": json.dumps(stats, default=str),
                    "id": run_id,
                    **counts,
                },
            )
            raise
        except BaseException:
            rollback(con)
            raise
    return records


def accept_run(db: Path, run_id: int) -> int:
    """Load a suspect run deliberately, without the monitor checks."""
    with write_connection(db) as con:
        row = con.execute(
            "SELECT source, status, run_file, stats, items, invalid_items, errors, message FROM crawl_run"
            " WHERE id = $id",
            {"id": run_id},
        ).fetchone()
    if row is None:
        raise LoadRefused(f"no run {run_id}")
    source, status, run_file, stats, items, invalid, errors, message = row
    if status != "suspect":
        raise LoadRefused(f"run {run_id} is {status}, not suspect: only a suspect run can be accepted")
    if not items or not run_file:
        raise LoadRefused(f"run {run_id} has no records to load")
    records = load_run(
        db,
        run_id,
        source,
        Path(run_file),
        json.loads(stats or "{}"),
        {"items": items, "invalid": invalid, "errors": errors},
    )
    with write_connection(db) as con:
        con.execute(
            "UPDATE crawl_run SET message = $m WHERE id = $id", {"m": f"accepted by hand; was {message}", "id": run_id}
        )
    return records
