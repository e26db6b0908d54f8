"""Tables each load derives from the versions, in its transaction.

`current_certification`: the source's counted records at the loaded run, with counting keys,
so the dashboard reads the latest data without finding it among years of versions.
`current_across_markets`: the same records folded across markets (store.queries.fold), what
the counts read. `current_gtin`: their distinct GTIN lists. `current_offer_match`: which of
them the current offers may match, and `current_offer_label`: what each offer shows on any
day (both rebuilt by the loads of offers too).
`product_member`, `product_candidate`: which records and offers are one device (store.products).
`run_summary`: the run's any-market availability valid on its day, so trends over years of
runs read few rows. Databases written before a table existed are filled by `backfill`.
"""

from datetime import date

import duckdb

from store import queries
from store.models import (
    current_across_markets,
    current_certification,
    current_gtin,
    current_offer_label,
    current_offer_match,
    product_candidate,
    product_member,
    product_state,
)
from store.products import link

PRODUCT_TABLES = (product_member.name, product_candidate.name, product_state.name)
DERIVED_TABLES = (
    "current_certification",
    "current_across_markets",
    "current_gtin",
    "current_offer_match",
    "current_offer_label",
    "run_summary",
    *PRODUCT_TABLES,
)
# What refresh_offer_matches rebuilds: the products, then the offers' matches.
OFFER_TABLES = {current_offer_match.name, current_offer_label.name, *PRODUCT_TABLES}
CURRENT_TABLES = {current_certification.name, current_across_markets.name, current_gtin.name}

RUN_VERSIONS = queries.versions_at(queries.ONE_RUN)  # params: source, run_id, snap_low = snap_high = run_id
RUN_RECORDS = queries.counted(RUN_VERSIONS)


# The order current_certification's rows are written in: a category's records together, so a
# read of one category (the pre-tender list) skips the row groups of the others.
CURRENT_ORDER = "category, label, brand_normalised, model_key"


def _fill(con: duckdb.DuckDBPyConnection, table, select: str, params: dict, order: str | None = None) -> None:
    """Insert into `table` the rows `select` gives (in `order`), with those of `params` it uses."""
    columns = ", ".join(column.name for column in table.columns)
    con.execute(
        f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM ({select})"
        + (f" ORDER BY {order}" if order else ""),
        {name: value for name, value in params.items() if f"${name}" in select},
    )


def _replace(con: duckdb.DuckDBPyConnection, table, select: str, params: dict, order: str | None = None) -> None:
    """Replace the source's ($source) rows of `table` by those `select` gives."""
    con.execute(f"DELETE FROM {table.name} WHERE source = $source", {"source": params["source"]})
    _fill(con, table, select, params, order)


def refresh_current(con: duckdb.DuckDBPyConnection, source: str, run_id: int, records: str = RUN_VERSIONS) -> None:
    """Replace the source's rows of the current tables by its records at run_id: `records` (a
    SELECT, as queries.counted takes it; $source and the run's ids are bound), its versions at
    the run unless the caller has those records at hand (store.load: the lines it loaded)."""
    params = {"source": source, "run_id": run_id, "snap_low": run_id, "snap_high": run_id}
    _replace(con, current_certification, queries.counted(records), params, CURRENT_ORDER)
    _replace(
        con, current_across_markets, queries.fold("SELECT * FROM current_certification WHERE source = $source"), params
    )
    _replace(con, current_gtin, queries.gtin_lists(records), params)


def refresh_offer_matches(con: duckdb.DuckDBPyConnection) -> None:
    """Regroup the current records and offers into products (store.products.link), then replace
    current_offer_match by the candidates of the current offers among the current records, and
    current_offer_label by what they show over time."""
    link.relink(con)
    candidates = queries.offer_candidates(
        queries.OFFERS_AT, f"SELECT * FROM {current_certification.name}", f"SELECT * FROM {current_gtin.name}"
    )
    matches = f"SELECT * FROM {current_offer_match.name}"
    labels = queries.offer_labels(queries.OFFERS_AT, matches, queries.ALL_DAYS)
    params = {"as_of_run": None, "as_of_day": None, **queries.Filters().params()}
    for table, select in ((current_offer_match, candidates), (current_offer_label, labels)):
        con.execute(f"DELETE FROM {table.name}")
        _fill(con, table, select, params)


def summarise_run(
    con: duckdb.DuckDBPyConnection, source: str, run_id: int, day: date, folded: str, params: dict
) -> None:
    """Insert run_id's run_summary rows, counted from `folded` (a SELECT of its records shaped
    as queries.fold gives them, and its params)."""
    con.execute(
        f"""
        INSERT INTO run_summary (run_id, source, label, level, category, models, brands, certificates)
        SELECT $run_id, any_value(source), any_value(label), any_value(level), any_value(category), {queries.COUNTS}
        FROM ({queries.valid("c.*", folded, folded=True)}) WHERE source = $source GROUP BY group_id
    """,
        {**params, "source": source, "run_id": run_id, "valid_on": day, **queries.Filters().params()},
    )


def after_load(
    con: duckdb.DuckDBPyConnection, source: str, run_id: int, day: date, records: str = RUN_VERSIONS
) -> None:
    """What a load of (source, run_id) derives, written in the load's transaction, from `records`
    (as refresh_current takes them)."""
    refresh_current(con, source, run_id, records)
    refresh_offer_matches(con)
    summarise_run(con, source, run_id, day, "SELECT * FROM current_across_markets", {})


def backfill(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Fill derived tables new to this database from the runs loaded before they existed, in
    the caller's transaction."""
    runs = con.execute(
        f"SELECT id, source, {queries.RUN_DAY} FROM crawl_run WHERE status = 'loaded' AND record_kind = "
        "'certification' ORDER BY id"
    ).fetchall()
    if "run_summary" in tables:
        for run_id, source, day in runs:
            summarise_run(
                con,
                source,
                run_id,
                day,
                queries.as_folded(RUN_RECORDS),
                {"snap_low": run_id, "snap_high": run_id},
            )
    if tables & CURRENT_TABLES:
        for source, run_id in {source: run_id for run_id, source, _ in runs}.items():
            refresh_current(con, source, run_id)
    if tables & (CURRENT_TABLES | OFFER_TABLES):
        refresh_offer_matches(con)
