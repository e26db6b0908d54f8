"""What the pages share: the database read (a busy one said plainly), each source's state,
filters kept in the URL (`bind="query-params"`) so a buyer can send a colleague the exact view,
and exports that open safely in a spreadsheet."""

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data
from store import queries
from store.db import DatabaseLocked

ALL = "all"
ANY_MARKET = "any market"
TCO_GENERATIONS = ["any", "8", "9", "10"]


def read(query, *args):
    """Run a cached query; while a load holds the database past the bounded wait, say so and stop."""
    try:
        return query(*args)
    except DatabaseLocked:
        st.warning("The database is busy (a crawl is loading). Reload in a moment.")
        st.stop()


def database() -> tuple[str, tuple[int, int] | None]:
    path = data.database()
    return str(path), data.version(path)


def sources(path: str, version, show: bool = True) -> pd.DataFrame:
    """Each source's state ("current", "not crawled yet", "last crawl failed on … showing data
    of …"); stops the page with a plain message when no source has data."""
    states = read(data.source_states, path, version)
    if show:
        st.dataframe(states, hide_index=True, width="stretch", column_config={
            "data as of": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "last attempt": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        })
    if states["run"].isna().all():
        st.info("Not crawled yet: no source has a loaded run. Run `labelwatch crawl` (or `make demo`).")
        st.stop()
    return states


def choice(label: str, options: list[str], key: str, default: str | None = None, **kwargs) -> str:
    index = options.index(default) if default in options else 0
    return st.selectbox(label, options, index=index, key=key, bind="query-params", **kwargs)


def market(options: dict[str, list[str]]) -> str | None:
    """Belgium when the data has it (the buyers this is built for), else any market."""
    markets = [ANY_MARKET, *options["market"]]
    chosen = choice("Market", markets, "market", default="Belgium",
                    help="Per-country registrations (EPEAT) in this country; global certificates (TCO) always count.")
    return None if chosen == ANY_MARKET else chosen


def levels() -> dict:
    """Minimum levels per label: Filters arguments."""
    tier = choice("EPEAT minimum tier", list(queries.TIERS), "min_tier", help="Bronze < Silver < Gold")
    generation = choice("TCO Certified minimum generation", TCO_GENERATIONS, "min_generation")
    climate_plus = st.checkbox("EPEAT Climate+ only", key="climate_plus", bind="query-params")
    return {"min_tier": tier, "min_generation": None if generation == "any" else int(generation),
            "climate_plus": climate_plus}


def day(label: str, key: str, default: date) -> date:
    return st.date_input(label, value=default, key=key, bind="query-params")


def model_ids(models: pd.DataFrame) -> pd.Series:
    """What counts as one model everywhere: normalised brand (or none) and model key."""
    return models["brand"].fillna("") + "\x1f" + models["model_key"]


def headline(totals: pd.DataFrame) -> None:
    """Per label: distinct models (any level, category and market) and known brands."""
    for column, row in zip(st.columns(max(len(totals), 1)), totals.to_dict("records")):
        column.metric(f"{row['label']} models", int(row["models"]))
        column.metric(f"{row['label']} brands", int(row["brands"]))


def links(urls: pd.Series) -> pd.Series:
    """Registry links as clickable cells only when they are plain web addresses."""
    return urls.where(urls.fillna("").str.match(r"https?://"), None)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection)."""
    def cell(value):
        return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value
    return frame.apply(lambda column: column if pd.api.types.is_numeric_dtype(column) else column.map(cell))


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, label: str = "Download CSV") -> None:
    """A CSV of the frame (or of what `frame()` reads), written only when the button is clicked."""
    st.download_button(label, lambda: spreadsheet_safe(frame() if callable(frame) else frame).to_csv(index=False)
                       .encode("utf-8"), file_name=name, mime="text/csv")


SHOWN_ROWS = 1_000


def table(frame: pd.DataFrame, total: int | None = None, **kwargs) -> None:
    """A table of at most SHOWN_ROWS rows (the browser gets every shown cell); the downloads hold
    all `total` (default: the frame's length)."""
    total = len(frame) if total is None else total
    if total > SHOWN_ROWS:
        st.caption(f"Showing the first {SHOWN_ROWS:,} of {total:,} rows; the downloads hold all of them.")
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch", **kwargs)
