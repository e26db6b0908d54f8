"""What the pages share: the database read (a busy one said plainly), each source's state,
filters kept in the URL (machine values: the same link works in every language) so a buyer can send a colleague the exact view,
and exports that open safely in a spreadsheet."""

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from crawlers.sources import all_sources, labels, sources_of
from crawlers.sources import criteria as offered_criteria
from dashboard import data, names
from dashboard.i18n import _, country, money, ngettext, number, titled
from dashboard.i18n import day as day_text
from store.db import DatabaseLocked, DatabaseUnusable
from store.text_safety import spreadsheet_cell

ALL = "all"  # choice keys kept in the URL; shown in words by shown()
ANY = "any"
ANY_MARKET = "any market"


def shown(option: str) -> str:
    """A choice as a person reads it: the catch-alls and categories in words, other values as they are."""
    words = {ALL: _("all"), ANY: _("any"), ANY_MARKET: _("any market")}
    if option in words:
        return words[option]
    if option in names.CATEGORIES:
        return names.category(option)
    return names.label(option) if option in labels() else names.value(option)


def read(query, *args):
    """Run a cached query; while a load holds the database past the bounded wait, say so and
    stop; a database that cannot be read (damaged, not a database) is said in one message, not
    a traceback with server paths."""
    try:
        return query(*args)
    except DatabaseLocked:
        st.warning(_("The database is busy (a crawl is loading). Reload in a moment."))
        st.stop()
    except (DatabaseUnusable, duckdb.Error) as error:
        st.error(
            _(
                "The database cannot be read ({problem}). The data is not shown; ask whoever runs labelwatch "
                "to check the database file (`labelwatch runs` names the problem)."
            ).format(problem=type(error).__name__)
        )
        st.stop()


def database() -> tuple[str, tuple[int, int] | None]:
    path = data.database()
    return str(path), data.version(path)


def sources(path: str, version, show: bool = True) -> pd.DataFrame:
    """Each source's state; a compact banner for each source whose last crawl failed or was held
    back, with the reason in full and the date of the data shown. With `show`, the table of all
    sources. Stops the page with a plain message when no source has data."""
    states = read(data.source_states, path, version)
    for state in states.to_dict("records"):  # a source never crawled is said where its data is missing (no_data)
        if state["status"] in ("never loaded", "last crawl not loaded"):
            banner(state)
    if show:
        st.dataframe(
            names.for_people(states),
            hide_index=True,
            width="stretch",
            column_config={
                names.column("crawled"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                names.column("last attempt"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            },
        )
    if states["run"].isna().all():
        st.info(_("Not crawled yet: no source has a loaded run. Run `labelwatch crawl` (or `make demo`)."))
        st.stop()
    return states


def banner(state: dict) -> None:
    """One line on a source whose data is not current, in words, with the date of what is shown."""
    title = names.source(state["source"])
    if pd.isna(state["run"]):
        shown = _("{source}: no data yet (never loaded).").format(source=title)
    else:
        shown = _("{source}: showing the data of {day}; the last crawl was not loaded.").format(
            source=title, day=day_text(state["data as of"])
        )
    attempt = _("Last attempt ({day}): {status}. {reason}").format(
        day=day_text(state["last attempt"]), status=names.value(state["last status"]), reason=state["reason"] or ""
    )
    st.warning(f"{shown} {attempt}".strip())


def no_data(path: str, version, filters, chosen: list[str]) -> list[str]:
    """Say, for each chosen label without a single record in this category and market, that
    there is no data and why (not crawled, its last crawl failed, not in this category or
    market), rather than let it read as "0 models": one note, a line per label. Returns the
    labels that have data."""
    present = read(data.labels_present, path, version, filters.category, filters.market)
    states = read(data.source_states, path, version).set_index("source")
    lines = []
    for name in chosen:
        if name in present:
            continue
        source = labels()[name][0] if name in labels() else None
        state = states.loc[source.name] if source is not None and source.name in states.index else None
        if state is not None and state["status"] in ("not crawled yet", "never loaded"):
            why = _("its source has not been crawled successfully yet")
        elif filters.market and source is not None and source.markets == "per_country":
            why = _("no product is registered for {market} in this category").format(market=country(filters.market))
        else:
            why = _("the registry lists no product in this category")
        where = names.category(filters.category) if filters.category else _("any category")
        lines.append(
            _("No data for {label} here ({where}): {why}. This is not the same as 0 qualifying models.").format(
                label=names.label(name), where=where, why=why
            )
        )
    if lines:
        st.info("\n\n".join(lines))
    return [name for name in chosen if name in present]


def bound(widget, label: str, options: list, key: str, default=None, **kwargs):
    """A select box or radio whose machine value (not its words: the same link works in every
    language) is kept in the URL under `key`. Streamlit's own binding writes the shown text."""
    if not options:
        return widget(label, options, key=key, **kwargs)
    by_text = {str(option): option for option in options}
    if st.session_state.get(key) not in options:
        asked = st.query_params.get(key)
        st.session_state[key] = by_text.get(asked, default if default in options else options[0])
    value = widget(label, options, key=key, **kwargs)
    st.query_params[key] = str(value)
    return value


def choice(label: str, options: list, key: str, default=None, **kwargs):
    """A select box whose value (kept in the URL) is the machine value, shown in words."""
    kwargs.setdefault("format_func", shown)
    return bound(st.selectbox, label, options, key, default, **kwargs)


def market(options: dict[str, list[str]]) -> str | None:
    """Belgium when the data has it (the buyers this is built for), else any market."""
    markets = [ANY_MARKET, *options["market"]]
    chosen = choice(
        _("Market"),
        markets,
        "market",
        default="Belgium",
        help=market_help(),
        format_func=lambda market: shown(market) if market == ANY_MARKET else country(market),
    )
    return None if chosen == ANY_MARKET else chosen


def _titles(markets: str) -> str:
    return ", ".join(_(s.title) for s in all_sources().values() if s.labels and s.markets == markets) or "–"


def offer_sources() -> list[str]:
    """The sources whose records are shop offers."""
    return [name for name, source in all_sources().items() if source.record_kind == "offer"]


def market_help() -> str:
    return _(
        "Registrations per country ({per_country}) in this country; global certificates ({worldwide}) always count."
    ).format(per_country=_titles("per_country"), worldwide=_titles("global"))


def levels(options: dict) -> dict:
    """A minimum level for each label of the data (`options`: data.choices) that has a level
    scale, and a checkbox for each flag a source declares, saying how many models cannot state
    it: Filters arguments (min_levels, flags)."""
    min_levels, flags = [], []
    unstated = {(row["source"], row["flag"]): row["models"] for row in options.get("unknown_flags", [])}
    for name, (_source, label) in labels().items():
        if label.scale is None or name not in options["label"]:
            continue
        scale = label.scale
        chosen = choice(
            _("{label}: minimum {level}").format(label=names.label(name), level=_(scale.name)),
            [ANY, *scale.levels],
            f"min_{label.key}",
            help=" < ".join(_(scale.shown).format(level=level) for level in scale.levels),
            format_func=lambda level, scale=scale: shown(level) if level == ANY else _(scale.shown).format(level=level),
        )
        if chosen != ANY:
            min_levels.append((name, scale.rank(chosen)))
    for source in all_sources().values():
        for flag in source.flags:
            unknown = unstated.get((source.name, flag.name))
            note = (
                " "
                + ngettext(
                    "{n} model does not state it (unknown, not false): it is left out.",
                    "{n} models do not state it (unknown, not false): they are left out.",
                    unknown,
                ).format(n=number(unknown))
                if unknown
                else ""
            )
            label = _("{source} {flag} only").format(source=_(source.title), flag=_(flag.name))
            if st.checkbox(label, key=flag.key, bind="query-params", help=(_(flag.help) + note).strip() or None):
                flags.append((source.name, flag.name))
    return {"min_levels": tuple(min_levels), "flags": tuple(flags)}


def measure_minimums(chosen_labels: list[str]) -> tuple[tuple[str, float], ...]:
    """A minimum for each measure the chosen labels' sources offer as a criterion (their
    declarations: EPREL's battery cycles, IP code…), kept in the URL; empty is no criterion:
    Filters' min_measures."""
    chosen_sources = {source.name for source in sources_of(chosen_labels)}
    minimums = []
    for measure, offered_by in offered_criteria().items():
        if not chosen_sources & set(offered_by):
            continue
        value = st.number_input(
            _("{measure}: at least").format(measure=names.measure(measure)),
            min_value=0.0,
            value=None,
            step=1.0,
            key=f"min_{measure}",
            bind="query-params",
            help=_(
                "Only models whose label record states it at this value or more; a label that does not publish it has no model meeting it."
            ),
        )
        if value is not None:
            minimums.append((measure, float(value)))
    return tuple(minimums)


def criteria(chosen: dict) -> list[tuple[str, str]]:
    """The minimum levels, flags and measures of levels() and measure_minimums() as (criterion,
    value) lines for an export."""
    known = labels()
    lines = []
    for name, rank in chosen["min_levels"]:
        scale = known[name][1].scale
        lines.append(
            (
                _("{label}: minimum {level}").format(label=names.label(name), level=_(scale.name)),
                _(scale.shown).format(level=scale.level(rank)),
            )
        )
    lines += [(_("{source} only").format(source=names.source(source)), _(flag)) for source, flag in chosen["flags"]]
    lines += [
        (_("{measure}: at least").format(measure=names.measure(measure)), number(value))
        for measure, value in chosen.get("min_measures", ())
    ]
    return lines


def source_notes() -> str:
    """What each label source's records mean: markets, validity, caveats (from the declarations)."""
    notes = []
    for source in all_sources().values():
        if not source.labels:
            continue
        scope = (
            _("registrations per country ('any market' counts a product registered in several countries once)")
            if source.markets == "per_country"
            else _("global certificates, counted in every market")
        )
        parts = [scope, _(source.validity), *([_(source.caveats)] if source.caveats else [])]
        notes.append(titled(_(source.title), "; ".join(parts)) + ".")
    return " ".join(notes)


def day(label: str, key: str, default: date) -> date:
    return st.date_input(label, value=default, key=key, bind="query-params", format="YYYY-MM-DD")


def model_ids(models: pd.DataFrame) -> pd.Series:
    """What counts as one model everywhere: normalised brand (or none) and model key."""
    return models["brand"].fillna("") + "\x1f" + models["model_key"]


HEADLINE_COLUMNS = 3  # labels side by side: a fourth would cut "classe de réparabilité de l'UE : modèles"


def headline(totals: pd.DataFrame) -> None:
    """Per label: distinct models (any level, category and market) and known brands, at most
    HEADLINE_COLUMNS labels to a row so their names are read whole."""
    rows = totals.to_dict("records")
    for start in range(0, len(rows), HEADLINE_COLUMNS):
        for column, row in zip(st.columns(HEADLINE_COLUMNS), rows[start : start + HEADLINE_COLUMNS], strict=False):
            column.metric(_("{label}: models").format(label=names.label(row["label"])), number(int(row["models"])))
            column.metric(_("{label}: brands").format(label=names.label(row["label"])), number(int(row["brands"])))


def links(urls: pd.Series) -> pd.Series:
    """Registry links as clickable cells only when they are plain web addresses."""
    return urls.where(urls.fillna("").str.match(r"https?://"), None)


def priced(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Prices as text with their currency and two decimals, as the session's locale writes them."""
    shown = frame.copy()
    for column in columns:
        shown[column] = [
            "–" if pd.isna(price) else money(float(price), currency)
            for price, currency in zip(shown[column], shown["currency"], strict=True)
        ]
    return shown


def validity_days(frame: pd.DataFrame) -> pd.DataFrame:
    """valid_from and valid_until as the locale writes days; an open end as "no end date"."""
    shown = frame.copy()
    shown["valid_until"] = shown["valid_until"].map(
        lambda until: _("no end date") if pd.isna(until) else day_text(until)
    )
    shown["valid_from"] = shown["valid_from"].map(lambda since: day_text(None if pd.isna(since) else since))
    return shown


def record_links(sources, **options) -> st.column_config.LinkColumn:
    """The link column of records; its help says what each source's link opens (EPEAT's a search page).
    A source no longer declared (None) says nothing."""
    opens = [titled(_(source.title), _(source.link_opens)) for source in sources if source and source.link_opens]
    return st.column_config.LinkColumn(
        display_text=_("open"), help="; ".join(opens) + "." if opens else None, **options
    )


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection)."""
    return frame.apply(lambda column: column if pd.api.types.is_numeric_dtype(column) else column.map(spreadsheet_cell))


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, label: str | None = None) -> None:
    """A CSV of the frame (or of what `frame()` reads), written only when the button is clicked."""
    st.download_button(
        label or _("Download CSV"),
        lambda: spreadsheet_safe(frame() if callable(frame) else frame).to_csv(index=False).encode("utf-8"),
        file_name=name,
        mime="text/csv",
    )


SHOWN_ROWS = 1_000


def table(
    frame: pd.DataFrame, total: int | None = None, main: list[str] | None = None, key: str = "table", **kwargs
) -> None:
    """A table of at most SHOWN_ROWS rows (the browser gets every shown cell); the downloads hold
    all `total` (default: the frame's length). With `main` (raw column names), only those are shown
    until the reader ticks "Show every column", so the table fits a 1280-pixel screen."""
    total = len(frame) if total is None else total
    if total > SHOWN_ROWS:
        st.caption(
            _("Showing the first {shown} of {total} rows; the downloads hold all of them.").format(
                shown=number(SHOWN_ROWS), total=number(total)
            )
        )
    if main is not None and not st.checkbox(
        _("Show every column"), key=f"{key}_all_columns", help=_("The downloads always hold every column.")
    ):
        kwargs["column_order"] = [names.column(c) for c in main if names.column(c) in frame.columns]
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch", **kwargs)
