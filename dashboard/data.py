"""The dashboard's query layer on short-lived read-only connections.

Nothing holds DuckDB open across reruns, so a crawl can load while the app is open: the reads
of one page render share one connection (see one_connection), else each read opens its own.
Results are cached per database file modification time, so a rerun does not open the file
unless a load changed it. While a load holds the lock, reads wait a bounded time and then
report busy.
"""

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from crawlers.sources import all_sources
from store import queries
from store.db import db_path, read_connection

READ_WAIT_SECONDS = 5.0


class _PageConnection:
    """A connection opened by the first read that needs it, closed with the page render."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._open: dict[str, object] = {}

    def get(self, path: str):
        if path not in self._open:
            self._open[path] = self._stack.enter_context(read_connection(Path(path), READ_WAIT_SECONDS))
        return self._open[path]

    def close(self) -> None:
        self._stack.close()


_page: ContextVar[_PageConnection | None] = ContextVar("labelwatch_page_connection", default=None)


@contextmanager
def one_connection() -> Iterator[None]:
    """Let the reads of one page render share one read-only connection, opened by the first
    read the cache does not answer and closed when the render ends, even by st.stop():
    opening and closing the database file costs DuckDB 25-40 ms each time."""
    page = _PageConnection()
    token = _page.set(page)
    try:
        yield
    finally:
        _page.reset(token)
        page.close()


@contextmanager
def _connection(path: str) -> Iterator:
    page = _page.get()
    if page is not None:
        yield page.get(path)
        return
    with read_connection(Path(path), READ_WAIT_SECONDS) as con:
        yield con


def database() -> Path:
    return db_path(os.environ.get("LABELWATCH_DB")).resolve()


def version(path: Path) -> tuple[int, int] | None:
    """Cache key part that changes whenever a load commits (None: no database yet)."""
    try:
        main = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    wal = path.with_name(path.name + ".wal")
    return main, wal.stat().st_mtime_ns if wal.exists() else 0


@st.cache_data(show_spinner=False, max_entries=64)
def source_states(path: str, db_version: tuple[int, int] | None) -> pd.DataFrame:
    """One row per implemented or crawled source: what is shown and how the last crawl went.
    `status`: current, not crawled yet, never loaded, or last crawl not loaded (then `last
    status` and `reason` say how the last attempt ended)."""
    sources = list(all_sources())
    if db_version is None:
        states = {s: {"loaded": None, "latest": None, "newest": None} for s in sources}
    else:
        with _connection(path) as con:
            states = queries.source_states(con, sources)
    rows = []
    for source, state in sorted(states.items()):
        loaded, latest = state["loaded"], state["latest"]
        if loaded is None and latest is None:
            status = "not crawled yet"
        elif loaded is None:
            status = "never loaded"
        elif latest["id"] != loaded["id"] and latest["status"] != "running":
            status = "last crawl not loaded"
        else:
            status = "current"
        stale = status in ("never loaded", "last crawl not loaded")
        rows.append(
            {
                "source": source,
                "status": status,
                "data as of": loaded["data_day"] if loaded else None,
                "crawled": loaded["finished_at"] if loaded else None,
                "newest record": state.get("newest"),
                "run": loaded["id"] if loaded else None,
                "last attempt": (latest["finished_at"] or latest["started_at"]) if latest else None,
                "last status": latest["status"] if stale else None,
                "reason": latest["message"] if stale else None,
            }
        )
    return pd.DataFrame(rows)


def _frame(path: str, db_version: tuple[int, int] | None, query, columns: list[str], *args, **kwargs) -> pd.DataFrame:
    """query(con, *args, **kwargs) as a frame with these columns, read on a short-lived
    connection; an empty frame when there is no database yet."""
    if db_version is None:
        return pd.DataFrame(columns=columns)
    with _connection(path) as con:
        return pd.DataFrame(query(con, *args, **kwargs), columns=columns)


@st.cache_data(show_spinner=False, max_entries=256)
def availability(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters, by_market: bool
) -> pd.DataFrame:
    columns = ["source", "label", "level", "category", "market", "models", "brands", "certificates"]
    return _frame(path, db_version, queries.availability, columns, valid_on, filters=filters, by_market=by_market)


@st.cache_data(show_spinner=False, max_entries=64)
def level_ladder(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters
) -> pd.DataFrame:
    columns = ["label", "category", "level", "level_rank", "models", "brands", "models_or_better", "brands_or_better"]
    return _frame(path, db_version, queries.level_ladder, columns, valid_on, filters=filters)


@st.cache_data(show_spinner=False, max_entries=64)
def measure_thresholds(
    path: str, db_version: tuple[int, int] | None, valid_on: date, measure: str, thresholds: tuple, filters
) -> pd.DataFrame:
    columns = ["label", "category", "threshold", "models", "measured"]
    return _frame(
        path, db_version, queries.measure_thresholds, columns, valid_on, measure, list(thresholds), filters=filters
    )


@st.cache_data(show_spinner=False, max_entries=64)
def measure_by_band(
    path: str, db_version: tuple[int, int] | None, valid_on: date, measure: str, by: str, bounds: tuple, filters
) -> pd.DataFrame:
    columns = ["label", "category", "band_from", "band_to", "models", "median", "lowest", "highest"]
    return _frame(
        path, db_version, queries.measure_by_band, columns, valid_on, measure, by, list(bounds), filters=filters
    )


QUALIFYING_COLUMNS = [
    "source",
    "label",
    "category",
    "brand",
    "model_key",
    "model",
    "level",
    "certificates",
    "valid_from",
    "valid_until",
    "markets",
    "url",
]


def qualifying_models(
    path: str,
    db_version: tuple[int, int] | None,
    valid_on: date,
    filters: queries.Filters,
    labels: tuple[str, ...],
    limit: int | None = None,
    all_of: bool = False,
) -> pd.DataFrame:
    """One row per qualifying model per label and category (store.queries.qualifying; `all_of`:
    of devices holding every label); not cached: a download calls it for the whole list on its
    own thread when clicked."""
    return _frame(
        path,
        db_version,
        queries.qualifying,
        QUALIFYING_COLUMNS,
        valid_on,
        filters=filters,
        labels=list(labels),
        limit=limit,
        all_of=all_of,
    )


qualifying = st.cache_data(show_spinner=False, max_entries=256)(qualifying_models)


@st.cache_data(show_spinner=False, max_entries=256)
def qualifying_brands(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters, labels: tuple[str, ...]
) -> pd.DataFrame:
    """Models qualifying per label and brand, and per brand under any of the labels (label None)."""
    return _frame(
        path,
        db_version,
        queries.qualifying_brands,
        ["label", "brand", "models"],
        valid_on,
        list(labels),
        filters=filters,
    )


@st.cache_data(show_spinner=False, max_entries=256)
def product_counts(
    path: str,
    db_version: tuple[int, int] | None,
    valid_on: date,
    filters: queries.Filters,
    labels: tuple[str, ...],
    mode: str,
) -> pd.DataFrame:
    """Devices (store.products) meeting any or all of the labels, per brand, and how many rest on
    an open candidate link."""
    return _frame(
        path,
        db_version,
        queries.product_counts,
        ["brand", "products", "on_candidates"],
        valid_on,
        list(labels),
        mode,
        filters=filters,
    )


@st.cache_data(show_spinner=False, max_entries=256)
def label_overlap(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters
) -> pd.DataFrame:
    return _frame(
        path,
        db_version,
        queries.label_overlap,
        ["category", "label_a", "label_b", "products"],
        valid_on,
        filters=filters,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def devices_named(path: str, db_version: tuple[int, int] | None, text: str, valid_on: date) -> pd.DataFrame:
    """The devices `text` names and what each holds on valid_on (store.queries.devices_named)."""
    return _frame(path, db_version, queries.devices_named, queries.DEVICE_FIELDS, text, valid_on)


@st.cache_data(show_spinner=False, max_entries=64)
def device_offers(path: str, db_version: tuple[int, int] | None, devices: tuple[str, ...]) -> pd.DataFrame:
    """The current offers joined to these devices (store.queries.device_offers)."""
    return _frame(path, db_version, queries.device_offers, queries.DEVICE_OFFER_FIELDS, list(devices))


@st.cache_data(show_spinner=False, max_entries=64)
def candidates(path: str, db_version: tuple[int, int] | None, limit: int) -> pd.DataFrame:
    """Open candidate links, read-only (analysts decide with `labelwatch products decide`)."""
    return _frame(path, db_version, queries.candidates, queries.CANDIDATE_FIELDS, limit)


@st.cache_data(show_spinner=False, max_entries=256)
def label_totals(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters
) -> pd.DataFrame:
    return _frame(path, db_version, queries.label_totals, ["label", "models", "brands"], valid_on, filters=filters)


@st.cache_data(show_spinner=False, max_entries=64)
def expiry(path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters) -> pd.DataFrame:
    columns = [
        "label",
        "category",
        "qualifying",
        *(f"lose within {m} months" for m in queries.EXPIRY_HORIZONS),
        "no end date",
    ]
    return _frame(path, db_version, queries.expiry, columns, valid_on, filters=filters)


@st.cache_data(show_spinner=False, max_entries=64)
def trends(path: str, db_version: tuple[int, int] | None, filters: queries.Filters) -> pd.DataFrame:
    columns = [
        "run_id",
        "source",
        "finished_at",
        "data_day",
        "label",
        "level",
        "category",
        "models",
        "brands",
        "certificates",
    ]
    return _frame(path, db_version, queries.trends, columns, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def changes(path: str, db_version: tuple[int, int] | None, before: int, after: int) -> dict:
    with _connection(path) as con:
        found = queries.changes(con, before, after)
    return {
        **found,
        "rows": pd.DataFrame(
            found["rows"],
            columns=[
                "change",
                "label",
                "level",
                "category",
                "market",
                "brand",
                "model",
                "certificate_id",
                "valid_until",
                "url",
            ],
        ),
    }


def offer_rows(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters, limit: int | None = None
) -> pd.DataFrame:
    """One row per offer and label (store.queries.offers), the first `limit`; not cached: a
    download calls it for all of them on its own thread when clicked."""
    return _frame(path, db_version, queries.offers, OFFER_ROW_COLUMNS, valid_on, filters=filters, limit=limit)


OFFER_ROW_COLUMNS = [*queries.OFFER_FIELDS, "level", "certificates", "label_models", "matched_by", "measures"]


@st.cache_data(show_spinner=False, max_entries=64)
def offers(
    path: str, db_version: tuple[int, int] | None, valid_on: date, filters: queries.Filters, limit: int
) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """(summary per label and category, the page's headline figures, the first `limit` offers):
    store.queries.offer_summary, offer_totals and offers."""
    if db_version is None:
        return pd.DataFrame(columns=queries.OFFER_SUMMARY_COLUMNS), {}, pd.DataFrame(columns=OFFER_ROW_COLUMNS)
    with _connection(path) as con:
        totals = queries.offer_totals(con, valid_on, filters=filters)
    return (
        _frame(path, db_version, queries.offer_summary, queries.OFFER_SUMMARY_COLUMNS, valid_on, filters=filters),
        totals,
        offer_rows(path, db_version, valid_on, filters, limit),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def choices(path: str, db_version: tuple[int, int] | None) -> dict[str, list[str]]:
    """Values the filters offer: what the current data holds; `unknown_flags`: models whose
    records cannot state a flag, per source and flag."""
    if db_version is None:
        return {"category": [], "label": [], "market": [], "offer_category": [], "unknown_flags": []}
    with _connection(path) as con:
        return {**queries.dimension_values(con), "unknown_flags": queries.unknown_flags(con)}


@st.cache_data(show_spinner=False, max_entries=64)
def labels_present(path: str, db_version: tuple[int, int] | None, category: str | None, market: str | None) -> list:
    if db_version is None:
        return []
    with _connection(path) as con:
        return queries.labels_present(con, category, market)


@st.cache_data(show_spinner=False, max_entries=16)
def runs(path: str, db_version: tuple[int, int] | None, limit: int = 1_000) -> pd.DataFrame:
    return _frame(path, db_version, queries.runs, queries.RUN_FIELDS, limit=limit)
