"""labelwatch: one command line in front of the crawlers, the store and the dashboard."""

import csv
import json
import logging
import math
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # typer 0.29 vendors click (pinned)

from crawlers.sources import UnknownSource, all_sources, criteria, get_source, label_source, labels
from store import derived, queries
from store.db import DatabaseLocked, DatabaseMissing, DatabaseUnusable, db_path, read_connection
from store.locks import SourceBusy, source_locks
from store.products import decisions
from store.schema import ensure_schema, write_connection
from store.text_safety import printable, spreadsheet_cell


def _overview() -> str:
    """What the help lists: the sources, their labels and levels, and the categories."""
    from crawlers.vocabulary import CANONICAL_CATEGORIES

    sources = "; ".join(f"{name} ({source.title})" for name, source in all_sources().items())
    return (
        f"Sources: {sources}.\n\n"
        f"Labels and levels: {_scales_help()}; flags: {_flags_help()}.\n\n"
        f"Categories: {', '.join(CANONICAL_CATEGORIES)}."
    )


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"labelwatch {version('labelwatch')}")
        except PackageNotFoundError:
            print("labelwatch (not installed)")
        raise typer.Exit()


app = typer.Typer(
    help=__doc__, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
)
report_app = typer.Typer(help="Reports on the stored data.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(report_app, name="report")
products_app = typer.Typer(
    help="Which records and offers are one device: candidate links to review, and decisions.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(products_app, name="products")
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="DuckDB file [default: $LABELWATCH_DB or data/labelwatch.duckdb]")
]
SetOption = Annotated[list[str], typer.Option("--set", "-s", help="Scrapy/labelwatch setting KEY=VALUE (repeatable)")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log crawl progress at INFO level")]


class Failure(Exception):
    """An expected failure: reported as one line, exit status 2."""


def fail(message: str) -> None:
    raise Failure(message)


# -- crawling --------------------------------------------------------------------------------
def _settings(db: Path, overrides: list[str], extra: dict):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("LABELWATCH_DB", str(db), priority="cmdline")
    for key, value in extra.items():
        settings.set(key, value, priority="cmdline")
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--set {item!r}: expected KEY=VALUE")
        settings.set(key.strip(), value, priority="cmdline")
    return settings


def replay_settings(directory: Path) -> dict:
    """Settings for answering every request from a recording: no network, no delays. The
    recording's own settings (the sources' URLs, page sizes, shops) come first, so `--set` wins."""
    from crawlers.replay import BadRecording, recorded_settings

    if not (directory / "index.jsonl").is_file():
        fail(f"--replay {directory}: no index.jsonl there")
    try:
        extra = recorded_settings(directory)
    except BadRecording as error:
        fail(f"--replay: {error}")
    return {
        **extra,
        "LABELWATCH_REPLAY_DIR": str(directory),
        "LABELWATCH_ORIGIN": f"replay {directory}",
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "RETRY_ENABLED": False,
    }


def _check_recording(directory: Path, settings) -> list[str]:
    """Every line and body path of a recording checked before a run is recorded; returns the
    sources it answers for."""
    from crawlers.replay import MAX_BODY, BadRecording, ReplayIndex, recorded_sources

    try:
        index = ReplayIndex(directory, settings.getint("LABELWATCH_REPLAY_MAX_BODY", MAX_BODY))
    except BadRecording as error:
        fail(f"--replay: {error}")
    return recorded_sources(index, settings)


def _run_spiders(settings, spider_args: dict[str, dict], verbose: bool) -> list[dict]:
    """Run the spiders in this process, holding each source's crawl lock, with a progress
    line each; return each run's outcome."""
    with source_locks(Path(settings["LABELWATCH_DB"]), list(spider_args)):
        return _crawl(settings, spider_args, verbose)


def _crawl(settings, spider_args: dict[str, dict], verbose: bool) -> list[dict]:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from twisted.internet.task import LoopingCall

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[responses]} responses, {task.completed} items"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    if err.is_terminal:
        handler = RichHandler(console=err, show_path=False, markup=False)
        logging.basicConfig(format="%(message)s", force=True, handlers=[handler])
    else:
        handler = logging.StreamHandler(sys.stderr)
        logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", force=True, handlers=[handler])
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    logging.root.setLevel(handler.level)  # no log record is even made for the per-item DEBUG lines
    crawlers = []
    for source, kwargs in spider_args.items():
        crawler = process.create_crawler(source)
        task = progress.add_task(source, total=None, responses=0)

        def show(task=task, crawler=crawler, done=False):
            stats = crawler.stats
            progress.update(
                task,
                completed=stats.get_value("labelwatch/records_written", 0),
                responses=stats.get_value("response_received_count", 0),
            )
            if done:
                progress.update(task, total=progress.tasks[task].completed)

        crawler.signals.connect(lambda show=show, **_: show(), signal=signals.response_received, weak=False)
        crawler.signals.connect(lambda show=show, **_: show(done=True), signal=signals.spider_closed, weak=False)
        process.crawl(crawler, **kwargs)
        crawlers.append((source, crawler, show))
    ticker = LoopingCall(lambda: [show() for _, _, show in crawlers])
    with progress:
        ticker.start(0.5, now=False)
        process.start()
    if ticker.running:
        ticker.stop()
    outcomes = []
    for source, crawler, _ in crawlers:
        stats = crawler.stats.get_stats()
        outcomes.append(
            {
                "source": source,
                "run_id": stats.get("labelwatch/run_id"),
                "status": stats.get("labelwatch/status", "failed"),
                "items": stats.get("labelwatch/records_written", 0),
                "records": stats.get("labelwatch/records"),
                "message": stats.get("labelwatch/message")
                or f"the crawl stopped ({stats.get('finish_reason') or 'interrupted'}) before its run was closed",
            }
        )
    return outcomes


def _finish(outcomes: list[dict]) -> None:
    for o in outcomes:
        if o["status"] == "loaded":
            err.print(f"{o['source']}: run {o['run_id']} loaded: {o['items']} items, {o['records']} records")
        elif o["status"] == "suspect":
            then = (
                f"`labelwatch accept {o['run_id']}` loads it anyway"
                if o["items"]
                else "it has no records, so there is nothing to accept"
            )
            err.print(
                f"{o['source']}: run {o['run_id']} HELD BACK as suspect, previous data stays current: "
                f"{printable(str(o['message']))} ({then})",
                markup=False,
            )
        else:
            err.print(
                f"{o['source']}: run {o['run_id']} FAILED, previous data stays current: {printable(str(o['message']))}",
                markup=False,
            )
    if any(o["status"] != "loaded" for o in outcomes):
        raise typer.Exit(1)


def _check_source(*sources: str) -> None:
    known = list(all_sources())
    unknown = sorted(set(sources) - set(known))
    if unknown:
        fail(f"unknown source {', '.join(unknown)}; known: {', '.join(known)}")


SOURCE_NAMES = ", ".join(all_sources())


@app.command()
def crawl(
    sources: Annotated[
        list[str] | None, typer.Argument(help=f"Sources to crawl: {SOURCE_NAMES} [default: all]")
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            help="Answer every request from this recording, no network; by default, crawl the sources it holds"
        ),
    ] = None,
    db: DbOption = None,
    set_: SetOption = [],
    verbose: VerboseOption = False,
):
    """Crawl sources and load each run that finishes cleanly."""
    path = db_path(db).resolve()
    settings = _settings(path, set_, replay_settings(replay.resolve()) if replay else {})
    _check_source(*(sources or []))
    recorded = _check_recording(replay.resolve(), settings) if replay else []
    ensure_schema(path)
    _finish(_run_spiders(settings, {s: {} for s in (sources or recorded or all_sources())}, verbose))


@app.command()
def record(
    source: Annotated[str, typer.Argument(help=f"Source to crawl live: {SOURCE_NAMES}")],
    directory: Annotated[Path, typer.Argument(help="Recording to write (index.jsonl + bodies/)")],
    db: DbOption = None,
    set_: SetOption = [],
    verbose: VerboseOption = False,
):
    """Crawl a source live, load it, and write every response to a replayable recording."""
    path = db_path(db).resolve()
    directory = directory.resolve()
    settings = _settings(
        path, set_, {"LABELWATCH_RECORD_DIR": str(directory), "LABELWATCH_ORIGIN": f"record {directory}"}
    )
    _check_source(source)
    ensure_schema(path)
    directory.mkdir(parents=True, exist_ok=True)
    recorded = {k: settings.get(k, default) for k, default in get_source(source).settings.items()}
    (directory / "settings.json").write_text(json.dumps(recorded, indent=1, default=list) + "\n")
    _finish(_run_spiders(settings, {source: {}}, verbose))


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help=f"Source whose format the file has: {SOURCE_NAMES}")],
    file: Annotated[Path, typer.Argument(help="A file saved by hand from the registry's site")],
    db: DbOption = None,
    set_: SetOption = [],
    verbose: VerboseOption = False,
):
    """Load a file saved from a registry through the source's parser and the normal load path."""
    if not file.is_file():
        fail(f"{file}: no such file")
    path = db_path(db).resolve()
    settings = _settings(
        path,
        set_,
        {
            "LABELWATCH_ORIGIN": f"import {file.resolve()}",
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
        },
    )
    _check_source(source)
    ensure_schema(path)
    _finish(_run_spiders(settings, {source: {"file": str(file)}}, verbose))


@app.command()
def accept(
    run: Annotated[int, typer.Argument(help="Id of a suspect run (see `labelwatch runs`)")], db: DbOption = None
):
    """Load a run the monitors held back as suspect, deliberately."""
    from store.load import LoadRefused, accept_run

    try:
        records = accept_run(db_path(db).resolve(), run)
    except LoadRefused as error:
        fail(str(error))
    err.print(f"run {run} accepted and loaded: {records} records")


@app.command()
def schedule(
    config: Annotated[
        Path,
        typer.Option(help="TOML: [defaults] and a [sources.NAME] table per source: cron, timeout, retry_backoff, args"),
    ] = Path("schedule.toml"),
    once: Annotated[
        bool,
        typer.Option("--once", help="Run every configured source once now, then exit (for cron or a systemd timer)"),
    ] = False,
    db: DbOption = None,
):
    """Crawl each configured source on its cron schedule, each crawl in its own process."""
    from crawlers.schedule import load_jobs, run_schedule

    try:
        jobs = load_jobs(config, list(all_sources()))
    except ValueError as error:
        fail(str(error))
    path = db_path(db).resolve()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr, force=True)
    if not run_schedule(jobs, path, path.parent / "logs", once=once):
        raise typer.Exit(1)


# -- reading ---------------------------------------------------------------------------------
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json")]


def _cell(value) -> str:
    """A table cell as plain text: no Rich markup, control characters shown escaped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return printable(str(_flat(value)))


def _flat(value):
    """A mapping (an offer's measures) as JSON text, keys sorted, for a CSV or table cell; anything
    else as it is."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else value


def _emit(rows: list[dict], columns: list[str], fmt: str, title: str) -> None:
    """Rows on stdout: JSON and CSV with stable machine keys (CSV cells safe for spreadsheets), or
    a table; a table piped elsewhere is not wrapped to a terminal's width."""
    if fmt == "json":
        print(json.dumps([{c: r[c] for c in columns} for r in rows], default=str, indent=1))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: spreadsheet_cell(_flat(r[c])) for c in columns} for r in rows)
    else:
        table = Table(title=Text(title))
        for c in columns:
            table.add_column(Text(c), overflow="fold")
        for r in rows:
            table.add_row(*(Text(_cell(r[c])) for c in columns))
        out = Console()
        if not out.is_terminal:
            out = Console(width=100_000, no_color=True)
        out.print(table)


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "csv", "json"):
        fail(f"--format {fmt!r}: choose table, csv or json")


@app.command()
def runs(
    source: Annotated[str | None, typer.Option(help="Only this source")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many runs, newest first")] = 30,
    fmt: FormatOption = "table",
    db: DbOption = None,
):
    """Recent crawl runs: source, started, finished, status, items, errors, reason (JSON: with
    each run's crawl stats, the data-quality counters)."""
    _check_format(fmt)
    if source is not None:
        _check_source(source)
    with read_connection(db_path(db)) as con:
        rows = queries.runs(con, source, limit, stats=fmt == "json")
    columns = {"json": [*queries.RUN_FIELDS, "stats"], "csv": queries.RUN_FIELDS}.get(
        fmt, [c for c in queries.RUN_FIELDS if c != "origin"]
    )
    _emit(rows, columns, fmt, "crawl runs")


AVAILABILITY_COLUMNS = ["source", "label", "level", "category", "market", "models", "brands", "certificates"]


def _scales_help() -> str:
    scales = [
        f"{name}: {label.scale.name} {' < '.join(label.scale.levels)}{' (or any number)' if label.scale.numeric else ''}"
        for name, (_, label) in labels().items()
        if label.scale
    ]
    return "; ".join(scales)


def _flags_help() -> str:
    return "; ".join(f"{flag.name} ({source.title})" for source in all_sources().values() for flag in source.flags)


def _criteria_help() -> str:
    from crawlers.measures import MEASURES

    return "; ".join(
        f"{name} ({MEASURES[name].unit}, {', '.join(get_source(s).title for s in sources)})"
        for name, sources in criteria().items()
    )


def level_filters(min_levels: list[str], flags: list[str], min_measures: list[str] = ()) -> dict:
    """Filters arguments from `--min-level LABEL=LEVEL`, `--flag NAME` and `--min-measure
    NAME=VALUE`, checked against the sources' declarations."""
    ranks = []
    for item in min_levels:
        name, sep, level = item.rpartition("=")
        if not sep or not name:
            fail(f"--min-level {item!r}: expected LABEL=LEVEL, e.g. {_scales_help()}")
        try:
            _, label = label_source(name.strip())
        except UnknownSource as error:
            fail(f"--min-level: {error}")
        rank = label.scale.rank(level) if label.scale else None
        if rank is None:
            choices = " < ".join(label.scale.levels) if label.scale else "none (this label has no levels)"
            fail(f"--min-level {item!r}: {level!r} is not a level of {label.name}; levels: {choices}")
        ranks.append((label.name, rank))
    declared = {flag.name: source.name for source in all_sources().values() for flag in source.flags}
    for flag in flags:
        if flag not in declared:
            fail(f"--flag {flag!r}: unknown flag; known: {', '.join(declared) or 'none'}")
    minimums = []
    for item in min_measures:
        name, sep, value = item.partition("=")
        if name.strip() not in criteria():
            fail(f"--min-measure {item!r}: expected NAME=NUMBER, NAME one of: {_criteria_help() or 'none'}")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not math.isfinite(number):
            fail(f"--min-measure {item!r}: {value!r} is not a number")
        minimums.append((name.strip(), number))
    return {
        "min_levels": tuple(ranks),
        "flags": tuple((declared[flag], flag) for flag in flags),
        "min_measures": tuple(minimums),
    }


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r}: not a YYYY-MM-DD date")


def _check_as_of(con, when: queries.AsOf) -> None:
    """A run id that exists; a day on or after the first loaded run (else: say there was no data then)."""
    if when.run_id is not None and not queries.run_exists(con, when.run_id):
        fail(f"--as-of {when.run_id}: no run {when.run_id} in this database (see `labelwatch runs`)")
    if when.day is not None:
        first = queries.first_loaded_day(con)
        if first is not None and when.day < first:
            fail(f"--as-of {when.day}: no data yet on that day; the first loaded run's data is of {first}")


def check_filters(category: str | None, label: str | None) -> tuple[str | None, str | None]:
    """A category and a label as the store spells them; an unknown one is an error listing the
    known ones (an unknown value would otherwise give an empty table)."""
    from crawlers.vocabulary import CANONICAL_CATEGORIES

    if category is not None and category not in CANONICAL_CATEGORIES:
        fail(f"--category {category!r}: unknown category; known: {', '.join(CANONICAL_CATEGORIES)}")
    if label is not None:
        named = {name.casefold(): name for name in labels()}
        if label.casefold() not in named:
            fail(f"--label {label!r}: unknown label; known: {', '.join(labels())}")
        label = named[label.casefold()]
    return category, label


def check_market(con, market: str | None) -> str | None:
    """A market as the data spells it (any case), or a country without data yet; anything else
    is an error naming the markets the data has."""
    from crawlers.vocabulary import country_code

    if market is None:
        return None
    present = queries.dimension_values(con)["market"]
    spelt = {m.casefold(): m for m in present}
    if market.casefold() in spelt:
        return spelt[market.casefold()]
    if country_code(market) is None:
        fail(f"--market {market!r}: not a country name; markets in the data: {', '.join(present) or 'none yet'}")
    return market


@report_app.command("availability")
def report_availability(
    fmt: FormatOption = "table",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="A run id or YYYY-MM-DD: read the data as it was then")
    ] = None,
    valid_on: Annotated[
        str | None, typer.Option(help="Count certificates valid on this day [default: today, or the --as-of day]")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only this canonical category")] = None,
    label: Annotated[str | None, typer.Option(help="Only this label")] = None,
    market: Annotated[
        str | None, typer.Option(help="Only this country's registrations (and global certificates)")
    ] = None,
    min_level: Annotated[
        list[str],
        typer.Option(
            "--min-level",
            help=f"LABEL=LEVEL: that label's records at this level or higher (repeatable). {_scales_help()}",
        ),
    ] = [],
    flag: Annotated[
        list[str],
        typer.Option(
            "--flag",
            help=f"Only records carrying this flag, among their source's records (repeatable): {_flags_help()}",
        ),
    ] = [],
    min_measure: Annotated[
        list[str],
        typer.Option(
            "--min-measure",
            help="NAME=NUMBER: only records stating this measure at or above the number (repeatable; a label "
            f"whose records do not state it has none): {_criteria_help()}",
        ),
    ] = [],
    db: DbOption = None,
):
    """Models, brands and certificates valid per label, level, category and market."""
    _check_format(fmt)
    category, label = check_filters(category, label)
    levels = level_filters(min_level, flag, min_measure)
    try:
        when = queries.AsOf.parse(as_of)
    except ValueError as error:
        fail(str(error))
    day = _day("--valid-on", valid_on)
    with read_connection(db_path(db)) as con:
        _check_as_of(con, when)
        filters = queries.Filters(category=category, label=label, market=check_market(con, market), **levels)
        day = day or queries.default_valid_on(con, when)
        snap = queries.snapshot(con, when)
        rows = queries.availability(con, day, when, filters)
        unstated = queries.unknown_flags(con)
    for row in unstated:  # on stderr in every format: the data on stdout stays as it is
        err.print(
            f"{row['source']}: {row['flag']} not stated for {row['models']} models (exports without the column): "
            f"unknown, not false; they do not pass --flag {row['flag']}",
            markup=False,
        )
    if fmt == "table":
        rows = [{**r, "market": r["market"] or "any"} for r in rows]
        for source, state in sorted(snap.items()):
            err.print(
                f"{source}: as of run {state['run_id']}, data of {state['data_day']}, "
                f"finished {state['finished_at']:%Y-%m-%d %H:%M %Z}"
            )
        if not snap:
            err.print("not crawled yet: no loaded run in this database")
    _emit(rows, AVAILABILITY_COLUMNS, fmt, f"valid on {day}")


OFFER_COLUMNS = [
    "label",
    "level",
    "category",
    "shop",
    "shop_country",
    "name",
    "brand",
    "gtin",
    "price",
    "price_high",
    "currency",
    "availability",
    "condition",
    "matched_by",
    "certificates",
    "measures",
    "url",
]


@report_app.command("offers")
def report_offers(
    fmt: FormatOption = "table",
    valid_on: Annotated[str | None, typer.Option(help="Match certificates valid on this day [default: today]")] = None,
    category: Annotated[str | None, typer.Option(help="Only this canonical category")] = None,
    label: Annotated[str | None, typer.Option(help="Only offers matching this label")] = None,
    listed: Annotated[bool, typer.Option("--list", help="One row per offer and label instead of the summary")] = False,
    db: DbOption = None,
):
    """Supplier offers per label and category: offered models, suppliers, prices, condition.
    An offer matching no label record counts under "no label found"."""
    _check_format(fmt)
    category, label = check_filters(category, label)
    day = _day("--valid-on", valid_on) or date.today()
    filters = queries.Filters(category=category, label=label)
    with read_connection(db_path(db)) as con:
        rows = (queries.offers if listed else queries.offer_summary)(con, day, filters=filters)
    _emit(rows, OFFER_COLUMNS if listed else queries.OFFER_SUMMARY_COLUMNS, fmt, f"offers, labels valid on {day}")


@report_app.command("products")
def report_products(
    label: Annotated[list[str], typer.Option("--label", help="A chosen label (repeatable, at least one)")] = [],
    mode: Annotated[
        str, typer.Option(help="any: devices meeting any of the labels; all: devices holding every one")
    ] = queries.ANY_OF,
    fmt: FormatOption = "table",
    valid_on: Annotated[str | None, typer.Option(help="Count certificates valid on this day [default: today]")] = None,
    category: Annotated[str | None, typer.Option(help="Only this canonical category")] = None,
    market: Annotated[
        str | None, typer.Option(help="Only this country's registrations (and global certificates)")
    ] = None,
    min_level: Annotated[list[str], typer.Option("--min-level", help="LABEL=LEVEL, as for report availability")] = [],
    flag: Annotated[list[str], typer.Option("--flag", help="A flag, as for report availability")] = [],
    min_measure: Annotated[
        list[str], typer.Option("--min-measure", help="NAME=NUMBER, as for report availability")
    ] = [],
    db: DbOption = None,
):
    """Devices (products: one device's records across labels counted once) per brand meeting any
    or all of the chosen labels, and how many of them rest on an open candidate link."""
    _check_format(fmt)
    if mode not in (queries.ANY_OF, queries.ALL_OF):
        fail(f"--mode: {mode!r} is not one of {queries.ANY_OF}, {queries.ALL_OF}")
    if not label:
        fail("--label: choose at least one label")
    category, _ = check_filters(category, None)
    for name in label:
        check_filters(None, name)
    levels = level_filters(min_level, flag, min_measure)
    day = _day("--valid-on", valid_on) or date.today()
    with read_connection(db_path(db)) as con:
        filters = queries.Filters(category=category, market=check_market(con, market), **levels)
        rows = queries.product_counts(con, day, list(label), mode, filters=filters)
    _emit(rows, ["brand", "products", "on_candidates"], fmt, f"{mode} of {', '.join(label)}, valid on {day}")


@products_app.command("review")
def products_review(
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="How many candidates, most similar first")] = 50,
    fmt: FormatOption = "table",
    db: DbOption = None,
):
    """Open candidate links: two records of different sources that may be one device, side by
    side. Decide each with `labelwatch products decide A B same|different`. Decisions naming a
    record no longer in the current data are counted on stderr."""
    _check_format(fmt)
    path = db_path(db)
    decided = decisions.read(decisions.path_for(path), strict=False)
    with read_connection(path) as con:
        rows = queries.candidates(con, limit)
        current = {m["member_id"] for m in queries.members(con, list({m for pair in decided for m in pair}))}
    unapplied = sum(1 for pair in decided if not set(pair) <= current)
    if unapplied:  # a registry renamed or dropped a record an analyst decided on
        print(
            f"labelwatch: {unapplied} of the {len(decided)} decisions in {decisions.path_for(path)} name a record "
            "the current data no longer holds (renamed or gone): kept, they apply again if it returns",
            file=sys.stderr,
        )
    if fmt == "table":
        rows = [{**r, "score": round(r["score"])} for r in rows]
    _emit(rows, queries.CANDIDATE_FIELDS, fmt, "candidate links (same device?)")


@products_app.command("show")
def products_show(
    text: Annotated[str, typer.Argument(help="Words of a model name, or a certificate id, registration or GTIN")],
    valid_on: Annotated[str | None, typer.Option(help="What the device holds on this day [default: today]")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000, help="How many devices, most labels first")] = 20,
    fmt: FormatOption = "table",
    db: DbOption = None,
):
    """One device across labels: the devices a current record is named by (every word in its
    brand and model, or its certificate id, registration or one of its GTINs) and, per label
    and model as each registry names it, the level, validity, countries, what the record states
    (measures) and the registry link."""
    _check_format(fmt)
    if not text.strip():
        fail("give words of a model name, a certificate id, a registration or a GTIN")
    day = _day("--valid-on", valid_on) or date.today()
    with read_connection(db_path(db)) as con:
        rows = queries.devices_named(con, text, day, limit)
    if not rows:
        print(f"labelwatch: no label record valid on {day} is named by {text.strip()!r}", file=sys.stderr)
    _emit(rows, queries.DEVICE_FIELDS, fmt, f"devices named by {text.strip()!r}, labels valid on {day}")


@products_app.command("decide")
def products_decide(
    member_a: Annotated[str, typer.Argument(help="A member id, as `products review` lists it")],
    member_b: Annotated[str, typer.Argument(help="The other member id")],
    decision: Annotated[str, typer.Argument(help="same or different")],
    who: Annotated[str, typer.Option(help="Who decided (kept in the file)")] = "",
    why: Annotated[str, typer.Option(help="Why (kept in the file)")] = "",
    db: DbOption = None,
):
    """Record an analyst's decision in the decisions file beside the database and apply it:
    `same` joins the two records' devices, `different` keeps them apart from now on, whatever
    links a later crawl finds."""
    if decision not in decisions.DECISIONS:
        fail(f"decision: {decision!r} is not one of {', '.join(decisions.DECISIONS)}")
    if member_a == member_b:
        fail("a member cannot be decided against itself")
    path = db_path(db)
    with read_connection(path) as con:
        found = {m["member_id"] for m in queries.members(con, [member_a, member_b])}
    for member in (member_a, member_b):
        if member not in found:
            fail(f"{member}: no such member in {path} (see `labelwatch products review`)")
    target = decisions.path_for(path)
    try:
        decisions.append(target, member_a, member_b, decision, who, why)
    except decisions.DecisionsError as error:
        fail(str(error))
    with write_connection(path) as con:
        con.execute("BEGIN TRANSACTION")
        derived.refresh_offer_matches(con)
        con.execute("COMMIT")
        after = {m["member_id"]: m["product_id"] for m in queries.members(con, [member_a, member_b])}
    together = after[member_a] == after[member_b]
    err.print(f"{target}: {member_a} {member_b} {decision} recorded; now {'one device' if together else 'apart'}")


@app.command()
def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind; localhost only by default")] = "127.0.0.1",
):
    """Start the Streamlit dashboard (read-only) on http://localhost:PORT. A database written by
    an older labelwatch gets its new tables first (the dashboard itself never writes)."""
    path = db_path(db).resolve()
    if path.exists():
        try:
            ensure_schema(path)
        except DatabaseUnusable as error:  # readable but not writable: served as it is
            if not os.access(path, os.R_OK):
                raise
            err.print(f"{printable(str(error))}: serving it read-only, as it is", markup=False)
    env = {**os.environ, "LABELWATCH_DB": str(path)}
    import dashboard as dashboard_package

    app_file = Path(dashboard_package.__file__).resolve().parent / "app.py"
    os.execvpe(
        sys.executable,
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app_file),
            "--server.address",
            address,
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--client.toolbarMode",
            "viewer",
        ],
        env,
    )


@app.callback(epilog=_overview())
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")
    ] = False,
):
    """labelwatch: one command line in front of the crawlers, the store and the dashboard."""


def main() -> None:
    try:
        code = app(prog_name="labelwatch", standalone_mode=False)
    except NoArgsIsHelpError as shown:  # `labelwatch` or `labelwatch report` alone: the help
        print(shown.format_message(), file=sys.stderr)
        sys.exit(2)
    except ClickException as error:  # a usage mistake: one line, like every other
        print(f"labelwatch: error: {printable(error.format_message())}", file=sys.stderr)
        sys.exit(2)
    except typer.Abort:
        print("labelwatch: interrupted", file=sys.stderr)
        sys.exit(130)
    except (Failure, DatabaseLocked, DatabaseMissing, DatabaseUnusable, SourceBusy) as error:
        print(f"labelwatch: error: {printable(str(error))}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
