"""What the pages share: the database read (a busy one said plainly), each source's state,
filters kept in the URL (`bind="query-params"`) so a buyer can send a colleague the exact view,
and exports that open safely in a spreadsheet."""

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from crawlers.sources import all_sources, labels
from dashboard import data
from store.db import DatabaseLocked, DatabaseUnusable
from store.text_safety import spreadsheet_cell

ALL = "all"
ANY = "any"
ANY_MARKET = "any market"


def read(query, *args):
    """Run a cached query; while a load holds the database past the bounded wait, say so and
    stop; a database that cannot be read (damaged, not a database) is said in one message, not
    a traceback with server paths."""
    try:
        return query(*args)
    except DatabaseLocked:
        st.warning("The database is busy (a crawl is loading). Reload in a moment.")
        st.stop()
    except (DatabaseUnusable, duckdb.Error) as error:
        st.error(
            f"The database cannot be read ({type(error).__name__}). The data is not shown; "
            "ask whoever runs labelwatch to check the database file (`labelwatch runs` names the problem)."
        )
        st.stop()


def database() -> tuple[str, tuple[int, int] | None]:
    path = data.database()
    return str(path), data.version(path)


def sources(path: str, version, show: bool = True) -> pd.DataFrame:
    """Each source's state ("current", "not crawled yet", "last crawl failed on … showing data
    of …"); stops the page with a plain message when no source has data."""
    states = read(data.source_states, path, version)
    if show:
        st.dataframe(
            states,
            hide_index=True,
            width="stretch",
            column_config={
                "data as of": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                "last attempt": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            },
        )
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
    chosen = choice("Market", markets, "market", default="Belgium", help=market_help())
    return None if chosen == ANY_MARKET else chosen


def _titles(markets: str) -> str:
    return ", ".join(s.title for s in all_sources().values() if s.labels and s.markets == markets) or "none"


def offer_sources() -> list[str]:
    """The sources whose records are shop offers."""
    return [name for name, source in all_sources().items() if source.record_kind == "offer"]


def market_help() -> str:
    return (
        f"Registrations per country ({_titles('per_country')}) in this country; global certificates "
        f"({_titles('global')}) always count."
    )


def levels(options: dict) -> dict:
    """A minimum level for each label of the data (`options`: data.choices) that has a level
    scale, and a checkbox for each flag a source declares, saying how many models cannot state
    it: Filters arguments (min_levels, flags)."""
    min_levels, flags = [], []
    unstated = {(row["source"], row["flag"]): row["models"] for row in options.get("unknown_flags", [])}
    for name, (_, label) in labels().items():
        if label.scale is None or name not in options["label"]:
            continue
        scale = label.scale
        chosen = choice(
            f"{name}: minimum {scale.name}",
            [ANY, *scale.levels],
            f"min_{label.key}",
            help=" < ".join(scale.show(level) for level in scale.levels),
        )
        if chosen != ANY:
            min_levels.append((name, scale.rank(chosen)))
    for source in all_sources().values():
        for flag in source.flags:
            unknown = unstated.get((source.name, flag.name))
            note = f" {unknown} models do not state it (unknown, not false): they are left out." if unknown else ""
            label = f"{source.title} {flag.name} only"
            if st.checkbox(label, key=flag.key, bind="query-params", help=(flag.help + note).strip() or None):
                flags.append((source.name, flag.name))
    return {"min_levels": tuple(min_levels), "flags": tuple(flags)}


def criteria(chosen: dict) -> list[tuple[str, str]]:
    """The minimum levels and flags of levels() as (criterion, value) lines for an export."""
    known = labels()
    lines = []
    for name, rank in chosen["min_levels"]:
        scale = known[name][1].scale
        lines.append((f"{name}: minimum {scale.name}", scale.show(scale.level(rank))))
    lines += [(f"{source} only", flag) for source, flag in chosen["flags"]]
    return lines


def source_notes() -> str:
    """What each label source's records mean: markets, validity, caveats (from the declarations)."""
    notes = []
    for source in all_sources().values():
        if not source.labels:
            continue
        scope = (
            "registrations per country ('any market' counts a product registered in several countries once)"
            if source.markets == "per_country"
            else "global certificates, counted in every market"
        )
        notes.append(
            f"{source.title}: {scope}; {source.validity}" + (f"; {source.caveats}" if source.caveats else "") + "."
        )
    return " ".join(notes)


def day(label: str, key: str, default: date) -> date:
    return st.date_input(label, value=default, key=key, bind="query-params")


def model_ids(models: pd.DataFrame) -> pd.Series:
    """What counts as one model everywhere: normalised brand (or none) and model key."""
    return models["brand"].fillna("") + "\x1f" + models["model_key"]


def headline(totals: pd.DataFrame) -> None:
    """Per label: distinct models (any level, category and market) and known brands."""
    for column, row in zip(st.columns(max(len(totals), 1)), totals.to_dict("records"), strict=False):
        column.metric(f"{row['label']} models", int(row["models"]))
        column.metric(f"{row['label']} brands", int(row["brands"]))


def links(urls: pd.Series) -> pd.Series:
    """Registry links as clickable cells only when they are plain web addresses."""
    return urls.where(urls.fillna("").str.match(r"https?://"), None)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection)."""
    return frame.apply(lambda column: column if pd.api.types.is_numeric_dtype(column) else column.map(spreadsheet_cell))


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, label: str = "Download CSV") -> None:
    """A CSV of the frame (or of what `frame()` reads), written only when the button is clicked."""
    st.download_button(
        label,
        lambda: spreadsheet_safe(frame() if callable(frame) else frame).to_csv(index=False).encode("utf-8"),
        file_name=name,
        mime="text/csv",
    )


SHOWN_ROWS = 1_000


def table(frame: pd.DataFrame, total: int | None = None, **kwargs) -> None:
    """A table of at most SHOWN_ROWS rows (the browser gets every shown cell); the downloads hold
    all `total` (default: the frame's length)."""
    total = len(frame) if total is None else total
    if total > SHOWN_ROWS:
        st.caption(f"Showing the first {SHOWN_ROWS:,} of {total:,} rows; the downloads hold all of them.")
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch", **kwargs)
