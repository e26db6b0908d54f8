"""Tables each load derives from the versions, in its transaction.

`current_certification`: the source's counted records at the loaded run, with counting keys,
so the dashboard counts the latest data without finding it among years of versions.
`run_summary`: the run's any-market availability valid on its day, so trends over years of
runs read few rows. Databases written before a table existed are filled by `backfill`.
"""

from datetime import date

import duckdb

from store import queries
from store.models import current_certification

DERIVED_TABLES = ("current_certification", "run_summary")


RUN_RECORDS = queries.records_at(queries.ONE_RUN)  # params: source, run_id, snap_low = snap_high = run_id


def refresh_current(con: duckdb.DuckDBPyConnection, source: str, run_id: int) -> None:
    """Replace the source's rows of current_certification by its records at run_id."""
    con.execute("DELETE FROM current_certification WHERE source = $source", {"source": source})
    columns = ", ".join(column.name for column in current_certification.columns)
    con.execute(f"INSERT INTO current_certification ({columns}) SELECT {columns} FROM ({RUN_RECORDS})",
                {"source": source, "run_id": run_id, "snap_low": run_id, "snap_high": run_id})


def summarise_run(con: duckdb.DuckDBPyConnection, source: str, run_id: int, day: date, records: str,
                  params: dict) -> None:
    """Insert run_id's run_summary rows, counted from `records` (a SELECT of its records with
    counting keys, and its params)."""
    con.execute(f"""
        INSERT INTO run_summary (run_id, source, label, level, category, models, brands, certificates)
        SELECT $run_id, any_value(source), any_value(label), any_value(level), any_value(category), {queries.COUNTS}
        FROM ({queries.valid("c.*", records)}) WHERE source = $source GROUP BY group_id
    """, {**params, "source": source, "run_id": run_id, "valid_on": day, **queries.Filters().params()})


def after_load(con: duckdb.DuckDBPyConnection, source: str, run_id: int, day: date) -> None:
    """What a load of (source, run_id) derives, written in the load's transaction."""
    refresh_current(con, source, run_id)
    summarise_run(con, source, run_id, day, queries.CURRENT, {})


def backfill(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Fill derived tables new to this database from the runs loaded before they existed, in
    the caller's transaction."""
    runs = con.execute("SELECT id, source, finished_at FROM crawl_run WHERE status = 'loaded' AND record_kind = "
                       "'certification' ORDER BY id").fetchall()
    if "run_summary" in tables:
        for run_id, source, finished in runs:
            summarise_run(con, source, run_id, finished.date(), RUN_RECORDS, {"snap_low": run_id, "snap_high": run_id})
    if "current_certification" in tables:
        for source, run_id in {source: run_id for run_id, source, _ in runs}.items():
            refresh_current(con, source, run_id)
