"""Schema smoke test, the one-transaction load, and history across runs."""

import json
from datetime import date

import duckdb
import pytest
from store_lines import COUNTS, line, offer_line, run_with

from store import queries
from store.db import DatabaseLocked, read_connection
from store.load import HeldBack, LoadRefused, accept_run, fail_run, load_run, start_run
from store.monitors import Thresholds
from store.schema import ensure_schema, write_connection


def test_schema_smoke(tmp_path):
    db = tmp_path / "lw.duckdb"
    ensure_schema(db)
    ensure_schema(db)  # idempotent
    con = duckdb.connect(str(db))
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"crawl_run", "certification"} <= tables
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'certification'"
        ).fetchall()
    )
    assert types["gtins"] == "VARCHAR[]" and types["valid_until"] == "DATE"
    con.close()
    assert [start_run(db, "tco", "test")[0] for _ in range(3)] == [1, 2, 3]  # the sequence, not autoincrement


def test_history_answers_counts_at_any_past_run(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A"), line("B"), line("B", gtins=["04995047067368"])])
    assert load_run(db, r1, "tco", f1, {}, COUNTS) == 2  # duplicate B lines merged
    r2, f2 = run_with(db, [line("A"), line("C")])  # B gone, C new
    load_run(db, r2, "tco", f2, {}, COUNTS)
    r3, f3 = run_with(db, [line("A", valid_until="2028-01-01"), line("C")])  # A extended
    load_run(db, r3, "tco", f3, {}, COUNTS)
    with read_connection(db) as con:
        on = date(2026, 6, 1)

        def at(run):
            return queries.availability(con, on, queries.AsOf(run_id=run))[0]["models"]

        assert (at(r1), at(r2), at(r3)) == (2, 2, 2)

        def keys(run):
            return sorted(r["model"] for r in queries.models(con, on, queries.AsOf(run_id=run)))

        assert keys(r1) == ["A", "B"] and keys(r2) == ["A", "C"]

        def changed(before, after):
            rows = queries.changes(con, before, after)["rows"]
            return {c: sorted(r["model"] for r in rows if r["change"] == c) for c in ("appeared", "disappeared")}

        assert changed(r1, r3) == {"appeared": ["C"], "disappeared": ["B"]}  # A changed: neither
        assert changed(r2, r3) == {"appeared": [], "disappeared": []}
        assert changed(r3, r1) == {"appeared": ["B"], "disappeared": ["C"]}
        versions = con.execute(
            "SELECT record_key, first_run_id, last_run_id, gtins FROM certification ORDER BY ALL"
        ).fetchall()
    assert versions == [("A", r1, r2, []), ("A", r3, r3, []), ("B", r1, r1, ["04995047067368"]), ("C", r2, r3, [])]
    r4, f4 = run_with(db, [line("A", valid_until="2028-01-01"), line("D"), line("E")])
    load_run(db, r4, "tco", f4, {}, COUNTS)
    with read_connection(db) as con:
        capped = queries.changes(con, r1, r4, limit=1)  # counts stay complete, rows of each kind are capped
    assert (capped["appeared"], capped["disappeared"]) == (2, 1)
    assert [(r["change"], r["model"]) for r in capped["rows"]] == [("appeared", "D"), ("disappeared", "B")]


def test_each_load_summarises_its_run_and_older_databases_are_backfilled(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A"), line("B", level="9")])
    load_run(db, r1, "tco", f1, {}, COUNTS)
    r2, f2 = run_with(db, [line("A"), line("C"), line("D", valid_until="2020-01-01")])  # D expired: not counted
    load_run(db, r2, "tco", f2, {}, COUNTS)
    summary = "SELECT run_id, level, models FROM run_summary ORDER BY ALL"
    with read_connection(db) as con:
        assert con.execute(summary).fetchall() == [(r1, "10", 1), (r1, "9", 1), (r2, "10", 2)]
        trend = [(p["run_id"], p["level"], p["models"]) for p in queries.trends(con)]
    assert sorted(trend) == [(r1, "10", 1), (r1, "9", 1), (r2, "10", 2)]
    with write_connection(db) as con:  # as a database of the previous version would be
        con.execute("DROP TABLE run_summary")
        con.execute("DROP SEQUENCE run_summary_id_seq")
    ensure_schema(db)
    with read_connection(db) as con:
        assert con.execute(summary).fetchall() == [(r1, "10", 1), (r1, "9", 1), (r2, "10", 2)]


def test_a_failed_run_leaves_the_previous_data_current(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A"), line("B")])
    load_run(db, r1, "tco", f1, {}, COUNTS)
    r2, _ = run_with(db, [line("A")])
    fail_run(db, r2, "finished", "parsed zero items", {"x": 1}, COUNTS)
    with read_connection(db) as con:
        assert queries.snapshot(con)["tco"]["run_id"] == r1
        assert queries.availability(con, date(2026, 6, 1))[0]["models"] == 2
        assert queries.runs(con)[0]["status"] == "failed" and queries.runs(con)[0]["message"] == "parsed zero items"


def test_a_broken_run_file_rolls_back_entirely(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A")])
    load_run(db, r1, "tco", f1, {}, COUNTS)
    r2, f2 = run_with(db, [line("B")])
    f2.write_text(f2.read_text() + '{"source": "tco", "record_key": truncated\n')
    with pytest.raises(duckdb.Error):
        load_run(db, r2, "tco", f2, {}, COUNTS)
    r3, f3 = run_with(db, [line("C", source="epeat")], source="tco")
    header, lines = f3.read_text().split("\n", 1)  # the header names the right source; its lines do not
    f3.write_text(header + "\n" + lines.replace('"source": "tco"', '"source": "epeat"'))
    with pytest.raises(LoadRefused, match="belong to another source"):
        load_run(db, r3, "tco", f3, {}, COUNTS)
    with read_connection(db) as con:
        assert con.execute("SELECT record_key FROM certification").fetchall() == [("A",)]
        assert queries.snapshot(con)["tco"]["run_id"] == r1


def test_an_older_run_cannot_replace_a_newer_one(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A")])
    r2, f2 = run_with(db, [line("B")])
    load_run(db, r2, "tco", f2, {}, COUNTS)
    with pytest.raises(LoadRefused, match="older than loaded run"):
        load_run(db, r1, "tco", f1, {}, COUNTS)


def test_validity_rules(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(
        db,
        [
            line("expired", valid_until="2026-01-01"),
            line("future", valid_from="2027-01-01", valid_until="2029-01-01"),
            line("withdrawn", status="WITHDRAWN"),
            line("active", status="ACTIVE"),
            line("plain"),
        ],
    )
    load_run(db, r1, "tco", f1, {}, COUNTS)
    with read_connection(db) as con:
        assert sorted(r["model"] for r in queries.models(con, date(2026, 6, 1))) == ["active", "plain"]
        assert sorted(r["model"] for r in queries.models(con, date(2025, 6, 1))) == ["active", "expired", "plain"]


def test_a_held_lock_is_waited_for_then_reported(tmp_path):
    db = tmp_path / "lw.duckdb"
    ensure_schema(db)
    import subprocess
    import sys
    import time

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(DatabaseLocked, match=str(db)):
            with write_connection(db, wait_seconds=1.0):
                pass
        assert time.monotonic() - started >= 1.0
    finally:
        holder.kill()
        holder.wait()
    with write_connection(db, wait_seconds=5.0) as con:  # free again
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_monitors_hold_back_a_shrunken_or_thin_run(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line(k) for k in "ABCDEFGHIJ"])
    load_run(db, r1, "tco", f1, {}, COUNTS, checks=Thresholds())
    r2, f2 = run_with(db, [line(k) for k in "ABCDEFG"])  # 30 % fewer: at the threshold, passes
    load_run(db, r2, "tco", f2, {}, COUNTS, checks=Thresholds())
    r3, f3 = run_with(db, [line(k, category="other", brand=None, brand_normalised=None) for k in "ABCDE"])
    with pytest.raises(HeldBack) as held:
        load_run(db, r3, "tco", f3, {}, COUNTS, checks=Thresholds())
    assert [r.split(" (")[0] for r in held.value.reasons] == [
        "only 0% of records have a brand",
        "only 0% of records have a category",
    ]
    with read_connection(db) as con:
        assert queries.snapshot(con)["tco"]["run_id"] == r2
        run = queries.runs(con)[0]
        assert (run["id"], run["status"]) == (r3, "suspect") and run["message"].startswith("held back: only 0%")
    r4, f4 = run_with(db, [line("A")])
    with pytest.raises(HeldBack, match=r"record count fell 86% against run 2 \(7 → 1; threshold 30%\)"):
        load_run(db, r4, "tco", f4, {}, {**COUNTS, "items": 1}, checks=Thresholds(), held=["3 error(s) logged"])
    with pytest.raises(LoadRefused, match="older than loaded run"):
        load_run(db, r1, "tco", f1, {}, COUNTS)
    assert accept_run(db, r4) == 1
    with pytest.raises(LoadRefused, match="is loaded, not suspect"):
        accept_run(db, r4)


CASES = [
    queries.Filters(),
    queries.Filters(market="India"),
    queries.Filters(market="Belgium", min_levels=(("EPEAT", 3),)),
    queries.Filters(category="notebook", flags=(("epeat", "Climate+"),)),
    queries.Filters(label="TCO Certified", min_levels=(("TCO Certified", 10),)),
    queries.Filters(category="display", min_levels=(("EPEAT", 2),)),
]


LATEST = {False: "SELECT * FROM current_certification", True: "SELECT * FROM current_across_markets"}


@pytest.mark.parametrize("filters", CASES)
@pytest.mark.parametrize("day", [date(2026, 11, 27), date(2028, 6, 1), date(2019, 1, 1)])
def test_current_tables_answer_as_the_versions_do(demo_db, filters, day):
    """The latest data is read from current_certification and current_across_markets; the same
    run read through the versions (as of its id) must give every count and row alike."""
    with read_connection(demo_db) as con:
        assert [queries.records(con, queries.AsOf(), folded).sql for folded in (False, True)] == list(LATEST.values())
        latest = queries.AsOf(run_id=max(s["run_id"] for s in queries.snapshot(con).values()))
        for query in (
            queries.availability,
            queries.label_totals,
            queries.qualifying,
            queries.expiry,
            queries.models,
            queries.offers,
            queries.offer_summary,
        ):
            assert query(con, day, filters=filters) == query(con, day, latest, filters), query.__name__
        labels = ["EPEAT", "TCO Certified"]
        assert queries.qualifying_brands(con, day, labels, filters=filters) == queries.qualifying_brands(
            con, day, labels, latest, filters
        )
        found = queries.availability(con, day, filters=filters)
    if day.year == 2026:  # every case counts something that day, so the comparison above compared data
        assert found
    if day.year == 2026 and filters == queries.Filters():
        assert {(r["label"], r["market"]) for r in found} >= {
            ("EPEAT", None),
            ("EPEAT", "India"),
            ("TCO Certified", None),
        }


def plain_availability(con, day: date, filters: queries.Filters, by_market: bool) -> list[tuple]:
    """Availability by its definition: distinct keys over the records, per market and over all
    markets (what availability() computes from folded rows, counting only shared keys as distinct)."""
    counts = "count(DISTINCT model_id), count(DISTINCT brand_id), count(DISTINCT certificate_hash)"
    sql = f"""
        WITH cur AS ({queries.valid("c.*", LATEST[False])})
        SELECT source, label, level, category, market, {counts} FROM cur
        WHERE market IS NOT NULL AND ($by_market OR $market::VARCHAR IS NOT NULL) GROUP BY ALL
        UNION ALL
        SELECT source, label, level, category, NULL, {counts} FROM cur
        WHERE $market::VARCHAR IS NULL OR market IS NULL GROUP BY ALL
    """
    return sorted(con.execute(sql, {"valid_on": day, "by_market": by_market, **filters.params()}).fetchall(), key=str)


def plain_qualifying(con, day: date, filters: queries.Filters, labels: list[str]) -> list[dict]:
    """qualifying() by its definition: every model's records aggregated."""
    sql = f"""
        SELECT any_value(source) AS source, any_value(label) AS label, any_value(category) AS category,
               any_value(brand_normalised) AS brand, any_value(model_key) AS model_key, min(model) AS model,
               arg_max(level, level_rank) AS level,
               array_to_string(list_sort(list_distinct(list(certificate_id))), ', ') AS certificates,
               min(valid_from) AS valid_from,
               CASE WHEN bool_or(valid_until IS NULL) THEN NULL ELSE max(valid_until) END AS valid_until,
               count(DISTINCT market) AS markets, min(url) AS url
        FROM ({queries.valid("c.*", LATEST[False])}) WHERE list_contains($labels, label) GROUP BY cell_id, model_id
        ORDER BY label, category, brand NULLS LAST, model_key
    """
    return queries.rows(con.execute(sql, {"valid_on": day, "labels": labels, **filters.params()}))


def shared_keys_db(tmp_path):
    """EPEAT registrations where one model has two products in a market, one certificate covers
    two models, a product's countries differ in validity, and a record holds for every market;
    TCO records where a model has two certificates."""
    db = tmp_path / "lw.duckdb"
    gold = {"label": "EPEAT", "level": "Gold", "level_rank": 3, "category": "notebook", "category_raw": "Notebooks"}
    epeat = [
        line("E1", **gold, model="M1", model_key="m1", certificate_id="P1", market="Belgium"),
        line("E2", **gold, model="M1", model_key="m1", certificate_id="P2", market="Belgium"),
        line("E3", **gold, model="M1", model_key="m1", certificate_id="P1", market="France"),
        line(
            "E4",
            **gold,
            brand="Dell",
            brand_normalised="Dell",
            model="M2",
            model_key="m2",
            certificate_id="P3",
            market="France",
            valid_until="2026-12-01",
        ),
        line(
            "E5",
            **gold,
            brand="Dell",
            brand_normalised="Dell",
            model="M2",
            model_key="m2",
            certificate_id="P3",
            market="Belgium",
            valid_until="2028-01-01",
        ),
        line(
            "E6",
            **gold,
            brand="HP",
            brand_normalised="HP",
            model="M3",
            model_key="m3",
            certificate_id="P1",
            market="Belgium",
        ),
        line("E7", **gold, brand=None, brand_normalised=None, model="M4", model_key="m4", certificate_id=None),
        line(
            "E8",
            **gold,
            brand="HP",
            brand_normalised="HP",
            model="M3",
            model_key="m3",
            certificate_id="P1",
            market=None,
            valid_until="2026-12-01",
        ),
    ]
    e1, g1 = run_with(db, epeat, source="epeat")
    load_run(db, e1, "epeat", g1, {}, COUNTS)
    r1, f1 = run_with(
        db,
        [
            line("A", model="T1", model_key="t1"),
            line("B", model="T1", model_key="t1"),
            line("C", model="T2", model_key="t2", certificate_id="CA"),
        ],
    )
    load_run(db, r1, "tco", f1, {}, COUNTS)
    return db


@pytest.mark.parametrize("by_market", [True, False])
@pytest.mark.parametrize("day", [date(2026, 6, 1), date(2027, 6, 1)])
def test_counts_and_lists_are_those_of_their_definition(demo_db, tmp_path, day, by_market):
    """Counting folded rows, shared keys only as distinct, and listing single-record models
    without aggregating give what counting and aggregating every record gives."""
    shared = shared_keys_db(tmp_path)
    cases = [*CASES, queries.Filters(market="France"), queries.Filters(market="Belgium", label="EPEAT")]
    for db in (demo_db, shared):
        with read_connection(db) as con:
            for filters in cases:
                found = queries.availability(con, day, filters=filters, by_market=by_market)
                assert sorted((tuple(r.values()) for r in found), key=str) == plain_availability(
                    con, day, filters, by_market
                ), (db, filters)
                labels = ["EPEAT", "TCO Certified"]
                listed = plain_qualifying(con, day, filters, labels)
                assert queries.qualifying(con, day, filters=filters, labels=labels) == listed
                assert queries.qualifying(con, day, filters=filters, labels=labels, limit=3) == listed[:3]
                per_brand = queries.qualifying_brands(con, day, labels, filters=filters)
                for label in labels:
                    assert {(r["brand"], r["models"]) for r in per_brand if r["label"] == label} == {
                        (b, sum(1 for m in listed if m["label"] == label and m["brand"] == b))
                        for b in {m["brand"] for m in listed if m["label"] == label}
                    }
                device = dict(  # each listed model's device (store.products), else the model itself
                    ((source, brand, key), product)
                    for source, brand, key, product in con.execute(
                        "SELECT DISTINCT c.source, c.brand_normalised, c.model_key, p.product_id"
                        " FROM current_certification c JOIN product_member p"
                        " ON p.kind = 'certification' AND p.source = c.source AND p.model_id = c.model_id"
                    ).fetchall()
                )
                devices = {(m["source"], m["brand"], m["model_key"]) for m in listed}
                devices = {(b, device.get((s, b, k), (s, b, k))) for s, b, k in devices}
                any_of = queries.product_counts(con, day, labels, filters=filters)
                assert {(r["brand"], r["products"]) for r in any_of} == {
                    (b, sum(1 for brand, _ in devices if brand == b)) for b in {b for b, _ in devices}
                }
    with read_connection(shared) as con:
        rows = {
            (r["market"], r["models"], r["brands"], r["certificates"])
            for r in queries.availability(con, date(2026, 6, 1))
            if r["source"] == "epeat"
        }
        folded = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE model_shared), "
            "count(*) FILTER (WHERE certificate_shared) FROM current_across_markets "
            "WHERE source = 'epeat'"
        ).fetchone()
    # Belgium: M1 (2 products), M2, M3 and the worldwide M4 does not count per market; certificates P1 P2 P3
    assert rows == {("Belgium", 3, 3, 3), ("France", 2, 2, 2), (None, 4, 3, 3)}
    assert folded == (7, 6, 5)  # E1 and E3 fold into one row; rows of M1, M2, M3 share models, of P1, P3 certificates


def test_current_table_follows_loads_and_is_rebuilt_for_older_databases(tmp_path):
    db = tmp_path / "lw.duckdb"
    rows = "SELECT source, record_key FROM current_certification ORDER BY ALL"
    r1, f1 = run_with(db, [line("A"), line("B"), line("X", status="WITHDRAWN")])  # not counted: not kept
    load_run(db, r1, "tco", f1, {}, COUNTS)
    e1, g1 = run_with(db, [line("E", market="Belgium")], source="epeat")
    load_run(db, e1, "epeat", g1, {}, COUNTS)
    r2, f2 = run_with(db, [line("A"), line("C")])
    load_run(db, r2, "tco", f2, {}, COUNTS)
    r3, _ = run_with(db, [line("D")])
    fail_run(db, r3, "finished", "broken", {}, COUNTS)
    with read_connection(db) as con:
        assert con.execute(rows).fetchall() == [("epeat", "E"), ("tco", "A"), ("tco", "C")]
        before = queries.availability(con, date(2026, 6, 1))
    with write_connection(db) as con:  # as a database of an older version would be
        con.execute("DROP TABLE current_across_markets")
        con.execute("ALTER TABLE current_certification DROP COLUMN model_records")
        con.execute("ALTER TABLE crawl_run DROP COLUMN record_kind")
    listed = []
    with read_connection(db) as con:  # read from the versions until the next write
        assert [queries.records(con, queries.AsOf(), folded).sql for folded in (False, True)] != list(LATEST.values())
        assert queries.availability(con, date(2026, 6, 1)) == before
        listed.append(queries.qualifying(con, date(2026, 6, 1)))
    ensure_schema(db)
    with read_connection(db) as con:
        assert {kind for (kind,) in con.execute("SELECT record_kind FROM crawl_run").fetchall()} == {"certification"}
        assert con.execute(rows).fetchall() == [("epeat", "E"), ("tco", "A"), ("tco", "C")]
        assert [queries.records(con, queries.AsOf(), folded).sql for folded in (False, True)] == list(LATEST.values())
        assert con.execute("SELECT sum(model_records) FROM current_certification").fetchone() == (3,)
        assert queries.availability(con, date(2026, 6, 1)) == before
        assert queries.qualifying(con, date(2026, 6, 1)) == listed[0] and len(listed[0]) == 3
    assert [(r["source"], r["market"], r["models"]) for r in before] == [
        ("epeat", None, 1),
        ("epeat", "Belgium", 1),
        ("tco", None, 2),
    ]
    with write_connection(db) as con:  # a column an older version kept there and this one does not
        con.execute("ALTER TABLE current_certification ADD COLUMN gtins VARCHAR[]")
    ensure_schema(db)
    with read_connection(db) as con:
        assert "gtins" not in {
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'current_certification'"
            ).fetchall()
        }
        assert con.execute(rows).fetchall() == [("epeat", "E"), ("tco", "A"), ("tco", "C")]


VERSION_KEYS = (
    "SELECT count(*), count(DISTINCT (source, record_key, first_run_id)), list(record_key ORDER BY rowid)"
    " FROM certification"
)


def test_versions_stay_unique_without_a_key_and_an_older_keyed_table_is_rebuilt(tmp_path):
    """The version tables have no primary key (store.models.RecordVersion): the load keeps
    (source, record_key, first_run_id) unique itself, and a table an older version wrote with
    the key is rebuilt without it, its rows and their order kept."""
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A"), line("B"), line("B", gtins=["04995047067368"]), line("A")])
    load_run(db, r1, "tco", f1, {}, COUNTS)
    load_run(db, r1, "tco", f1, {}, COUNTS)  # the same run loaded again (an accepted run, say)
    r2, f2 = run_with(db, [line("A", level="9"), line("B", gtins=["04995047067368"]), line("B")])
    load_run(db, r2, "tco", f2, {}, COUNTS)
    keys = "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' ORDER BY ALL"
    with write_connection(db) as con:
        assert con.execute(keys).fetchall() == [("crawl_run",), ("database_identity",), ("run_summary",)]
        versions = con.execute(VERSION_KEYS).fetchone()
        assert versions[:2] == (3, 3)  # A twice (changed in r2), B once (its GTINs merged in both runs)
        # the current tables, derived from the load's merged lines, hold each record once
        assert con.execute(
            "SELECT record_key, level, model_records FROM current_certification ORDER BY ALL"
        ).fetchall() == [("A", "9", 1), ("B", "10", 1)]
        assert con.execute("SELECT gtin FROM current_gtin").fetchall() == [("04995047067368",)]
        con.execute("ALTER TABLE certification ADD PRIMARY KEY (source, record_key, first_run_id)")
        con.execute("ALTER TABLE offer ADD PRIMARY KEY (source, record_key, first_run_id)")
    ensure_schema(db)
    with read_connection(db) as con:
        assert con.execute(keys).fetchall() == [("crawl_run",), ("database_identity",), ("run_summary",)]
        assert con.execute(VERSION_KEYS).fetchone() == versions
        assert con.execute(
            "SELECT record_key, first_run_id, last_run_id, level FROM certification ORDER BY ALL"
        ).fetchall() == [("A", r1, r1, "10"), ("A", r2, r2, "9"), ("B", r1, r2, "10")]
    r3, f3 = run_with(db, [line("A", level="9"), line("C")])
    load_run(db, r3, "tco", f3, {}, COUNTS)
    with read_connection(db) as con:
        assert con.execute(VERSION_KEYS).fetchone()[:2] == (4, 4)


def test_offer_matches_follow_the_loads_of_offers_and_of_labels(tmp_path):
    """current_offer_match is rebuilt by an offers load and by a label load, and reads through
    it agree with matching the versions afresh (as of the same runs)."""
    db = tmp_path / "lw.duckdb"
    day = date(2026, 6, 1)
    r1, f1 = run_with(
        db,
        [
            line("A", gtins=["04995047067368"]),
            line("B", model="CB272 E3", model_key="cb272 e3"),
            line("C", model="CB272 E3 27in", model_key="cb272 e3 27in", label="EPEAT", level="Gold", level_rank=3),
            line("D", model="CB272 E3", model_key="cb272 e3", label="EPEAT", level="Silver", level_rank=2),
            line("E", model="CB272", model_key="cb272", label="EPEAT", level="Gold", level_rank=3),
        ],
    )
    load_run(db, r1, "tco", f1, {}, COUNTS)
    o1, g1 = start_run(db, "offers", "test", "offer")
    g1.write_text(  # after the header line start_run wrote
        g1.read_text()
        + "".join(
            json.dumps({**entry, "source": "offers", "run_id": o1}) + "\n"
            for entry in [
                offer_line("O1", gtin="04995047067368"),
                offer_line(
                    "O2",
                    brand="Acer",
                    brand_normalised="Acer",
                    name="Acer CB272 E3 monitor 27in",
                    model_key="cb272 e3 monitor 27in",
                ),
                offer_line("O3", brand="Acer", brand_normalised="Acer", name="Acer CB272U E3"),
            ]
        )
    )
    load_run(db, o1, "offers", g1, {}, COUNTS)

    def matched():
        with read_connection(db) as con:
            latest = queries.AsOf(run_id=max(s["run_id"] for s in queries.snapshot(con).values()))
            found = queries.offers(con, day)
            assert found == queries.offers(con, day, latest) and queries.offer_summary(
                con, day
            ) == queries.offer_summary(con, day, latest)
        rows = {}
        for r in found:
            rows.setdefault(r["record_key"], set()).add((r["label"], r["certificates"], r["matched_by"]))
        return {key: labels.pop() if len(labels) == 1 else labels for key, labels in rows.items()}

    assert matched() == {
        "O1": ("TCO Certified", "CA", "gtin"),
        # the device's every record: "CB272 E3" and "CB272 E3 27in" are one model; CB272 (E) another
        "O2": {("TCO Certified", "CB", "model key"), ("EPEAT", "CC, CD", "model key")},
        "O3": (queries.NO_LABEL, None, None),
    }
    r2, f2 = run_with(db, [line("A"), line("B", model="CB272 E5", model_key="cb272 e5")])
    load_run(db, r2, "tco", f2, {}, COUNTS)
    assert matched() == {key: (queries.NO_LABEL, None, None) for key in ("O1", "O2", "O3")}


def test_what_an_offer_shows_follows_the_day_its_candidates_are_judged_on(tmp_path):
    """current_offer_label holds an offer's labels for every span of days in which it matches
    one: as certificates of its device start and end, the device's valid records are what it shows,
    and the rows read from it agree with applying the rules on the day."""
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(
        db,
        [
            line("A", model="CB272 E3", model_key="cb272 e3", gtins=["04995047067368"], valid_until="2026-06-30"),
            line("B", model="CB272 E3", model_key="cb272 e3"),
            line(
                "C",
                model="CB272 E3 27in",
                model_key="cb272 e3 27in",
                valid_from="2026-03-01",
                valid_until="2026-09-30",
            ),
        ],
    )
    load_run(db, r1, "tco", f1, {}, COUNTS)
    o1, g1 = start_run(db, "offers", "test", "offer")
    g1.write_text(  # after the header line start_run wrote
        g1.read_text()
        + json.dumps(
            {
                **offer_line(
                    "O1",
                    gtin="04995047067368",
                    brand="Acer",
                    brand_normalised="Acer",
                    name="Acer CB272 E3 27in",
                    model_key="cb272 e3 27in",
                ),
                "source": "offers",
                "run_id": o1,
            }
        )
        + "\n"
    )
    load_run(db, o1, "offers", g1, {}, COUNTS)
    expected = {
        date(2024, 12, 31): (queries.NO_LABEL, None, None),
        # one device (A by the GTIN, B and C by their model key): what of it is valid on the day
        date(2025, 1, 1): ("TCO Certified", "CA, CB", "gtin"),
        date(2026, 6, 30): ("TCO Certified", "CA, CB, CC", "gtin"),
        date(2026, 7, 1): ("TCO Certified", "CB, CC", "gtin"),
        date(2026, 9, 30): ("TCO Certified", "CB, CC", "gtin"),
        date(2026, 10, 1): ("TCO Certified", "CB", "gtin"),
        date(2027, 1, 1): ("TCO Certified", "CB", "gtin"),
        date(2027, 1, 2): (queries.NO_LABEL, None, None),
    }
    with read_connection(db) as con:
        spans = con.execute(
            "SELECT shown_from, shown_until, certificates FROM current_offer_label ORDER BY shown_from"
        ).fetchall()
        on_the_day = queries.AsOf(run_id=o1)  # a past snapshot's read applies the rules itself
        for day in [*expected, date(2026, 2, 28), date(2026, 3, 1)]:
            [shown] = queries.offers(con, day)
            assert shown == queries.offers(con, day, on_the_day)[0], day
            assert queries.offer_summary(con, day) == queries.offer_summary(con, day, on_the_day), day
            assert queries.offer_totals(con, day) == queries.offer_totals(con, day, on_the_day), day
            if day in expected:
                assert (shown["label"], shown["certificates"], shown["matched_by"]) == expected[day], day
    assert spans == [
        (date(2025, 1, 1), date(2026, 2, 28), "CA, CB"),
        (date(2026, 3, 1), date(2026, 6, 30), "CA, CB, CC"),
        (date(2026, 7, 1), date(2026, 9, 30), "CB, CC"),
        (date(2026, 10, 1), date(2027, 1, 1), "CB"),
    ]


def test_two_databases_in_one_folder_never_load_each_others_run_files(tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for db in (a, b):
        r1, f1 = run_with(db, [line(k) for k in "ABCDEFG"])
        load_run(db, r1, "tco", f1, {}, COUNTS)
    ra, fa = run_with(a, [line("A")])
    rb, fb = run_with(b, [line("H")])
    assert (ra, rb) == (2, 2) and fa != fb and fa.parent.parent.name == "a.duckdb"
    for db, run, run_file in ((a, ra, fa), (b, rb, fb)):
        with pytest.raises(HeldBack):
            load_run(db, run, "tco", run_file, {}, {**COUNTS, "items": 1}, checks=Thresholds())
    fa.write_bytes(fb.read_bytes())  # b's run 2 where a's run 2 belongs
    with pytest.raises(LoadRefused, match=r"is not this database's run file for tco run 2: header \{'database'"):
        accept_run(a, ra)
    fb.write_text(fb.read_text().split("\n", 1)[1])  # no header
    with pytest.raises(LoadRefused, match="no header"):
        accept_run(b, rb)
    with read_connection(a) as con:
        assert con.execute("SELECT count(*) FROM current_certification").fetchone()[0] == 7
        assert queries.runs(con)[0]["status"] == "suspect"


@pytest.mark.parametrize(
    "change",
    [{"status": "Archived"}, {"status": "expired"}, {"valid_until": "2020-01-01"}, {"valid_from": "2099-01-01"}],
)
def test_a_run_in_which_nothing_is_valid_on_the_crawl_day_is_held_back(tmp_path, change):
    """As many records as before, none of them counting: the run must not replace the good one."""
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line(k, valid_until=str(date.today().replace(year=date.today().year + 1))) for k in "ABC"])
    load_run(db, r1, "tco", f1, {}, COUNTS, checks=Thresholds())
    r2, f2 = run_with(db, [line(k, **change) for k in "ABCD"])
    with pytest.raises(
        HeldBack, match=rf"^records valid on {date.today()} fell 100% against run 1 \(3 → 0; threshold 30%\)$"
    ):
        load_run(db, r2, "tco", f2, {}, COUNTS, checks=Thresholds())
    with read_connection(db) as con:
        assert queries.snapshot(con)["tco"]["run_id"] == r1
        assert queries.availability(con, date.today())[0]["models"] == 3


def test_conflicting_duplicate_lines_are_counted_not_silently_merged(tmp_path):
    db = tmp_path / "lw.duckdb"
    r1, f1 = run_with(db, [line("A"), line("A", model="Other name"), line("B"), line("B", gtins=["04995047067368"])])
    stats = {"labelwatch/records_written": 4}
    assert load_run(db, r1, "tco", f1, stats, COUNTS) == 2
    with read_connection(db) as con:
        [run] = queries.runs(con, stats=True)
    assert run["stats"]["labelwatch/duplicates/conflicting"] == 1  # A; B's lines differ only in GTINs


def test_run_files_older_than_the_newest_few_are_pruned(tmp_path):
    from store.run_files import prune

    db = tmp_path / "lw.duckdb"
    files = [run_with(db, [line("A")])[1] for _ in range(5)]
    other = run_with(db, [line("A")], source="epeat")[1]
    assert prune(db, "tco", keep=3) == files[:2][::-1]
    assert [f.exists() for f in files] == [False, False, True, True, True] and other.exists()


def test_a_running_run_whose_pid_another_process_reused_shows_killed(tmp_path):
    import subprocess
    import sys
    import time

    db = tmp_path / "lw.duckdb"
    run_id, _ = start_run(db, "tco", "test")  # this process, started before the run: the run's own
    with read_connection(db) as con:
        assert queries.runs(con)[0]["status"] == "running"
    time.sleep(2)  # /proc's process start times are exact to about a second
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with write_connection(db) as con:  # the run's process died; its pid is now `other`'s, started later
            con.execute("UPDATE crawl_run SET pid = $pid WHERE id = $id", {"pid": other.pid, "id": run_id})
        with read_connection(db) as con:
            assert queries.runs(con)[0]["status"] == "killed"
    finally:
        other.kill()
