"""Five years of weekly history at registry size: database size and dashboard query times.

Usage: python -m bench.history [WEEKS] [EPEAT_ROWS] [TCO_GTINS]   (default 260 250000 100000)

1. One real run per source: `labelwatch import` of the EPEAT export and a replay crawl of the
   TCO bundle (bench.generate; kept in bench/.cache/ with the resulting database).
2. WEEKS - 1 more weekly runs per source, written the way store.load.load_run writes them: every
   unchanged record extends its version's last_run_id, a changed one (2 % a week, a renewed
   certificate: valid_until one year later) gets a new version, and each run its derived rows
   (store.derived: run_summary and the current tables).
   The runs are dated a week apart, ending today. (Replaying 520 full crawls would take hours.)
   Then one offers run (add_offers) of 5,000 offers of the current records' models.
3. Prints the database size after one run and after all runs, against one run plus the changes.
   Each time, the current tables are written anew by this code (rewrite_current).
4. Times each source's next weekly load into a copy of it (weekly_loads).
5. Prints p50 and p95 of each dashboard query (and, apart, of the reads no page waits for) on a
   fresh read-only connection and on an open one, and of a full render of each page through the
   app (streamlit AppTest, caches cleared).
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.generate import epeat_export, tco_bundle
from bench.load import LOAD
from bench.measure import CACHE, measure, repeats
from store import derived, queries
from store.db import read_connection
from store.load import load_run, start_run
from store.records import CERTIFICATION, OFFER
from store.schema import ensure_schema, write_connection

CHANGED_PER_MILLE = 20  # records changed a week: 2 %
OFFERS = 5_000
ROOT = Path(__file__).resolve().parent.parent


def base_database(rows: int, gtins: int) -> Path:
    """One loaded run of each source at registry size (cached)."""
    db = CACHE / f"history-base-{rows}-{gtins}" / "lw.duckdb"
    if db.exists():
        return db
    export, bundle = CACHE / f"epeat-{rows}.xlsx", CACHE / f"tco-{gtins}"
    if not export.exists():
        epeat_export(export, rows)
    if not (bundle / "index.jsonl").exists():
        tco_bundle(bundle, feed_records=max(1, gtins // 5), gtins=gtins, pages=max(1, gtins // 250))
    work = db.parent.with_suffix(".partial")
    shutil.rmtree(work, ignore_errors=True)
    for command in (["import", "epeat", str(export)], ["crawl", "tco", "--replay", str(bundle)]):
        subprocess.run(
            [sys.executable, "-m", "labelwatch", *command, "--db", str(work / "lw.duckdb")],
            check=True,
            capture_output=True,
        )
    shutil.rmtree(work / "runs")
    work.rename(db.parent)
    return db


def changed_in(week: int) -> str:
    """SQL: whether a record (`record_key`) changes in `week` (CHANGED_PER_MILLE of them)."""
    return f"hash(record_key || '{week}') % 1000 < {CHANGED_PER_MILLE}"


def add_weeks(db: Path, weeks: int) -> int:
    """Weekly runs 2..weeks of each source; returns the versions written for changes."""
    changed_total = 0
    first_day = date.today() - timedelta(weeks=weeks - 1)
    with write_connection(db) as con:
        con.execute("UPDATE crawl_run SET finished_at = $d, started_at = $d", {"d": first_day})
        con.execute("DELETE FROM run_summary")
        derived.backfill(con, {"run_summary"})
        previous = dict(con.execute("SELECT source, id FROM crawl_run").fetchall())
        for week in range(1, weeks):
            day = first_day + timedelta(weeks=week)
            for source in sorted(previous):
                con.execute("BEGIN TRANSACTION")
                (run_id,) = con.execute(
                    "INSERT INTO crawl_run (source, origin, started_at, finished_at, status, items, invalid_items, errors,"
                    " record_kind) VALUES ($s, 'bench', $d, $d, 'loaded', 0, 0, 0, 'certification') RETURNING id",
                    {"s": source, "d": day},
                ).fetchone()
                changed = changed_in(week)
                params = {"s": source, "prev": previous[source], "run": run_id}
                con.execute(
                    f"""UPDATE certification SET last_run_id = $run
                                WHERE source = $s AND last_run_id = $prev AND NOT {changed}""",
                    params,
                )
                (count,) = con.execute(
                    f"""
                    INSERT INTO certification SELECT * REPLACE (
                        $run AS first_run_id, $run AS last_run_id, hash(content_hash, {week})::VARCHAR AS content_hash,
                        valid_until + INTERVAL 1 YEAR AS valid_until)
                    FROM certification WHERE source = $s AND last_run_id = $prev AND {changed}""",
                    params,
                ).fetchone()
                derived.after_load(con, source, run_id, day)
                con.execute("COMMIT")
                changed_total += count
                previous[source] = run_id
            con.execute("CHECKPOINT")  # as closing each load's connection does
            if week % 26 == 0:
                print(f"  week {week + 1}/{weeks}", flush=True)
    return changed_total


def rewrite_current(db: Path) -> None:
    """Write the current tables of the cached history anew, as this labelwatch's next load of
    each source would (their rows and the order they are stored in), so the queries are timed
    on what the code writes; the cache keeps the versions, which take half an hour to write."""
    started = time.perf_counter()
    with write_connection(db) as con:
        con.execute("BEGIN TRANSACTION")
        derived.backfill(con, derived.CURRENT_TABLES | derived.OFFER_TABLES)
        con.execute("COMMIT")
    print(f"current tables written anew from the latest runs' versions in {time.perf_counter() - started:.1f} s")


def add_offers(db: Path, offers: int) -> None:
    """One loaded offers run (unless the database has one) of `offers` offers of current label
    records' models, dated today: a third carry the first GTIN of their record (if it has any),
    a third only the brand and model name (with a memory size after it), a third a brand no
    label record has."""
    with read_connection(db) as con:
        if con.execute("SELECT count(*) FROM crawl_run WHERE source = 'offers' AND status = 'loaded'").fetchone()[0]:
            return
    run_id, run_file = start_run(db, "offers", "bench", OFFER.table)
    run_file.parent.mkdir(parents=True, exist_ok=True)
    with write_connection(db) as con:
        con.execute(
            f"""COPY (
            WITH models AS (
                SELECT * FROM current_certification
                WHERE brand_normalised IS NOT NULL AND NOT starts_with(model_key, lower(brand_normalised) || ' ')
                QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY record_key) = 1),
            picked AS (  -- each model in as many shops as it takes to make up the offers
                SELECT m.*, row_number() OVER (ORDER BY hash(m.record_key, copy)) AS n
                FROM models m, range(($offers // (SELECT count(*) FROM models) + 1)::BIGINT) r(copy)
                ORDER BY n LIMIT $offers),
            offered AS (
                SELECT p.*, CASE n % 3 WHEN 0 THEN (SELECT min(g.gtin) FROM current_gtin g WHERE g.source = p.source
                                                    AND g.gtins_hash = p.gtins_hash) END AS offered_gtin,
                       CASE n % 3 WHEN 2 THEN 'Nobrand' ELSE brand_normalised END AS offered_brand
                FROM picked p)
            SELECT 'offers' AS source, $run AS run_id, 'bench-' || n AS record_key, 'shop-' || n % 10 AS shop,
                   'BE' AS shop_country, 'reseller' AS shop_kind, offered_brand || ' ' || model || ' 16GB' AS name,
                   offered_brand AS brand, offered_brand AS brand_normalised, model || ' 16GB' AS model,
                   model_key || ' 16gb' AS model_key, category, offered_gtin AS gtin, NULL AS mpn, NULL AS sku,
                   199 + n % 800 AS price, NULL AS price_high, 'EUR' AS currency, 'in_stock' AS availability,
                   ['new', 'refurbished', 'used'][n % 3 + 1] AS condition, 'https://shop.bench.example/p/' || n AS url,
                   NULL AS seller, 'json-ld' AS syntax
            FROM offered) TO '{run_file}' (FORMAT json)""",
            {"offers": offers, "run": run_id},
        )
    load_run(db, run_id, "offers", run_file, {}, {"items": offers, "invalid": 0, "errors": 0}, own_file=False)
    run_file.unlink()


def weekly_loads(db: Path, week: int, repeat: int = 3) -> None:
    """Each source's next weekly run through store.load.load_run (bench.load.LOAD: monitors,
    version merge, derived tables) into a copy of the history database: its current records
    with CHANGED_PER_MILLE of them renewed: valid a year longer, as add_weeks renews them (an
    EPEAT record without an archive date gets one a year on). Medians of `repeat`.

    The copy's current versions first get the content hash the load computes (add_weeks marks a
    change with a made-up one, and a cache may come from an older labelwatch), so that only the
    renewed records are new versions."""
    print(f"a weekly load into the history (each on a fresh copy of the database; medians of {repeat}):")
    with tempfile.TemporaryDirectory() as tmp:
        prepared, runs = Path(tmp) / "prepared.duckdb", {}  # source: (run file, records)
        shutil.copy(db, prepared)
        with write_connection(prepared) as con:
            con.execute("SET enable_progress_bar = false")
            latest = dict(
                con.execute(
                    "SELECT source, max(id) FROM crawl_run WHERE status = 'loaded' AND record_kind ="
                    " 'certification' GROUP BY 1 ORDER BY 1"
                ).fetchall()
            )
            (run_id,) = con.execute(
                "SELECT last_value + increment_by FROM duckdb_sequences() WHERE sequence_name = 'crawl_run_id_seq'"
            ).fetchone()
            columns = ", ".join(c for c in CERTIFICATION.columns if c not in ("run_id", "valid_until"))
            for source, last in latest.items():
                current = f"source = '{source}' AND last_run_id = {last}"
                con.execute(f"UPDATE certification SET content_hash = {CERTIFICATION.content_hash} WHERE {current}")
                run_file = Path(tmp) / f"{source}.jsonl"
                (records,) = con.execute(f"""COPY (
                    SELECT {run_id} AS run_id, {columns}, CASE WHEN {changed_in(week)}
                           THEN coalesce(valid_until, current_date) + INTERVAL 1 YEAR ELSE valid_until
                           END::DATE AS valid_until FROM certification WHERE {current}
                ) TO '{run_file}' (FORMAT json)""").fetchone()
                runs[source] = (run_file, records)
        for source, (run_file, records) in runs.items():
            seconds, peaks, versions = [], [], set()
            for _ in range(repeat):
                copy = Path(tmp) / "lw.duckdb"
                shutil.copy(prepared, copy)
                _, rss, out = measure(
                    [sys.executable, "-c", LOAD, str(run_file), str(copy), source, CERTIFICATION.table]
                )
                seconds.append(float(out.split("RESULT ")[1].split()[0]))
                peaks.append(rss)
                with read_connection(copy) as con:
                    versions.add(
                        con.execute(
                            "SELECT count(*) FROM certification WHERE first_run_id = $r", {"r": run_id}
                        ).fetchone()[0]
                    )
                copy.unlink()
            print(
                f"  {source:6s} {records:9,} records, {', '.join(f'{v:,}' for v in versions)} new versions: load "
                f"{statistics.median(seconds):5.1f} s ({', '.join(f'{t:.1f}' for t in seconds)})  "
                f"peak {statistics.median(peaks):5.0f} MiB"
            )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


LABELS = ("EPEAT", "TCO Certified")


def shown_rows() -> int:
    """The rows a dashboard table shows (dashboard.widgets.SHOWN_ROWS)."""
    from streamlit.logger import set_log_level

    set_log_level("error")  # importing the dashboard outside an app, its cache would warn that no app is served
    from dashboard.widgets import SHOWN_ROWS

    return SHOWN_ROWS


def pretender_queries(category: str, contract_end: date) -> dict:
    """The pre-tender page's reads: counts per label and brand, devices under any and all of the
    labels, and the first rows of its list."""
    filters, shown = queries.Filters(category=category, market="Belgium"), shown_rows()
    return {
        "counts": lambda con: queries.qualifying_brands(con, contract_end, list(LABELS), filters=filters),
        "devices, any of": lambda con: queries.product_counts(con, contract_end, list(LABELS), filters=filters),
        "devices, all of": lambda con: queries.product_counts(
            con, contract_end, list(LABELS), queries.ALL_OF, filters=filters
        ),
        f"first {shown:,} models": lambda con: queries.qualifying(
            con, contract_end, filters=filters, labels=list(LABELS), limit=shown
        ),
    }


def offers_queries(today: date) -> dict:
    """The Offers page's reads: the summary, the headline figures and the first offers."""
    shown = shown_rows()
    return {
        "offers per label and category": lambda con: queries.offer_summary(con, today),
        "offers headline": lambda con: queries.offer_totals(con, today),
        f"offers, first {shown:,}": lambda con: queries.offers(con, today, limit=shown),
    }


def time_queries(db: Path, repeat: int) -> None:
    today = date.today()
    with read_connection(db) as con:
        latest = [r["id"] for r in queries.runs(con, "epeat", limit=2)]
        (gtin,) = con.execute("SELECT min(gtin) FROM current_gtin").fetchone()
        elitebooks = list(dict.fromkeys(r["device"] for r in queries.devices_named(con, "HP EliteBook 840", today)))
    cases = {
        "availability (any market)": lambda con: queries.availability(con, today, by_market=False),
        "availability (any market, per country too)": lambda con: queries.availability(con, today),
        "availability (Belgium: the page's default)": lambda con: queries.availability(
            con, today, filters=queries.Filters(market="Belgium")
        ),
        "availability (Belgium, Gold)": lambda con: queries.availability(
            con, today, filters=queries.Filters(market="Belgium", min_levels=(("EPEAT", 3),))
        ),
        **{
            f"pre-tender {what} ({category}, Belgium)": query
            for category in ("notebook", "display")
            for what, query in pretender_queries(category, today + timedelta(days=4 * 365)).items()
        },
        "label totals (availability headline, Belgium)": lambda con: queries.label_totals(
            con, today, filters=queries.Filters(market="Belgium")
        ),
        "devices holding two labels (availability, Belgium)": lambda con: queries.label_overlap(
            con, today, filters=queries.Filters(market="Belgium")
        ),
        "open candidates (availability)": lambda con: queries.candidates(con, shown_rows()),
        "one device: words (HP EliteBook 840)": lambda con: queries.devices_named(con, "HP EliteBook 840", today),
        "one device: a GTIN": lambda con: queries.devices_named(con, gtin, today),
        "one device: its offers (HP EliteBook 840)": lambda con: queries.device_offers(con, elitebooks),
        "expiry (Belgium)": lambda con: queries.expiry(con, today, filters=queries.Filters(market="Belgium")),
        "expiry (any market)": lambda con: queries.expiry(con, today),
        "trends": lambda con: queries.trends(con),
        "changes (last two EPEAT runs)": lambda con: queries.changes(con, latest[1], latest[0]),
        "source states": lambda con: queries.source_states(con, ["epeat", "tco"]),
        "runs (1,000)": lambda con: queries.runs(con, limit=1_000),
        "filter values": lambda con: queries.dimension_values(con),
        **offers_queries(today),
    }
    not_on_pages = {  # timed alike, reported apart: no page waits for them
        "export: whole pre-tender list (display; on a download click)": lambda con: queries.qualifying(
            con,
            today + timedelta(days=4 * 365),
            filters=queries.Filters(category="display", market="Belgium"),
            labels=list(LABELS),
        ),
        f"export: all {OFFERS:,} offers (on a download click)": lambda con: queries.offers(con, today, limit=None),
        "report --as-of a year ago (CLI; from the versions)": lambda con: queries.availability(
            con,
            today - timedelta(days=365),
            queries.AsOf(day=today - timedelta(days=365)),
            filters=queries.Filters(market="Belgium"),
        ),
    }
    print(
        f"dashboard queries, {repeat} runs each: on a fresh read-only connection (opened and closed around the "
        "query, as a read outside a page render does) and on an open one (as the reads of a page render share one):"
    )
    for name, query in [*cases.items(), (None, None), *not_on_pages.items()]:
        if name is None:
            print("not dashboard page queries:")
            continue
        fresh, shared = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            with read_connection(db) as con:
                opened = time.perf_counter()
                rows = query(con)
                shared.append(time.perf_counter() - opened)
            fresh.append(time.perf_counter() - started)
        (p50, p95), (s50, s95) = percentiles(fresh), percentiles(shared)
        size = len(rows) if isinstance(rows, (list, dict)) else "?"
        print(
            f"  {name:45s} fresh p50 {p50 * 1000:6.1f} p95 {p95 * 1000:6.1f} ms | open p50 {s50 * 1000:6.1f} "
            f"p95 {s95 * 1000:6.1f} ms  ({size} rows)"
        )


def time_pages(db: Path, repeat: int) -> None:
    import os

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["LABELWATCH_DB"] = str(db)
    print(
        f"full page renders through the app (streamlit AppTest, caches cleared), {repeat} each after one untimed "
        "render (a running server has its modules imported):"
    )
    for page in ("availability", "pretender", "trends", "expiry", "offers", "crawls"):
        samples = []
        for attempt in range(repeat + 1):
            st.cache_data.clear()
            started = time.perf_counter()
            at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
            at = at.switch_page(f"views/{page}.py").run()
            if attempt:
                samples.append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception}")
        p50, p95 = percentiles(samples)
        print(f"  {page:45s} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms")


def main(weeks: int, rows: int, gtins: int) -> None:
    """Builds the history database (kept in bench/.cache/ for query work; delete it to rebuild),
    then times the queries and pages on it."""
    started = time.perf_counter()
    base = base_database(rows, gtins)
    db = CACHE / f"history-{weeks}-{rows}-{gtins}" / "lw.duckdb"
    if not db.exists():
        partial = db.with_suffix(".partial")
        partial.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(base, partial)
        with write_connection(partial) as con:
            con.execute("CHECKPOINT")
            (one_run,) = con.execute("SELECT count(*) FROM certification").fetchone()
        one_size = partial.stat().st_size
        print(
            f"one run of each source: {one_run:,} records, database {one_size / 2**20:.1f} MiB "
            f"(ready in {time.perf_counter() - started:.0f} s)"
        )
        started = time.perf_counter()
        changed = add_weeks(partial, weeks)
        size = partial.stat().st_size
        expected = one_size * (one_run + changed) / one_run
        print(
            f"{weeks} weekly runs of each source ({changed:,} changed records, {CHANGED_PER_MILLE / 10:.0f} % a week), "
            f"written in {time.perf_counter() - started:.0f} s: database {size / 2**20:.1f} MiB"
        )
        print(
            f"  against one run plus the changes ({expected / 2**20:.1f} MiB): {size / expected:.2f}x  "
            f"(target: under 1.5x)"
        )
        partial.rename(db)
    else:
        print(f"history database from {db} ({db.stat().st_size / 2**20:.1f} MiB); delete it to measure its size anew")
    ensure_schema(db)
    rewrite_current(db)
    add_offers(db, OFFERS)
    weekly_loads(db, weeks, repeat=repeats(3))
    time_queries(db, repeat=repeats(30))
    time_pages(db, repeat=repeats(10))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [260, 250_000, 100_000][len(args) :]))
