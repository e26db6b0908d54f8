"""Schema smoke test, the one-transaction load, and history across runs."""

import json
from datetime import date

import duckdb
import pytest

from store import queries
from store.db import DatabaseLocked, ensure_schema, read_connection, write_connection
from store.load import HeldBack, LoadRefused, accept_run, fail_run, load_run, start_run
from store.monitors import Thresholds

COUNTS = {"items": 0, "invalid": 0, "errors": 0}


def line(key, **changes):
    base = {"source": "tco", "run_id": 0, "record_key": key, "label": "TCO Certified", "level": "10",
            "brand": "Acer", "brand_normalised": "Acer", "model": key, "model_key": key.lower(),
            "category": "display", "category_raw": "Displays", "certificate_id": "C" + key,
            "valid_from": "2025-01-01", "valid_until": "2027-01-01", "status": None, "gtins": [], "url": None,
            "market": None}
    return {**base, **changes}


def run_with(db, lines, source="tco"):
    run_id, path = start_run(db, source, "test")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({**l, "run_id": run_id, "source": source}) + "\n" for l in lines))
    return run_id, path


def test_schema_smoke(tmp_path):
    db = tmp_path / "lw.duckdb"
    ensure_schema(db)
    ensure_schema(db)  # idempotent
    con = duckdb.connect(str(db))
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"crawl_run", "certification"} <= tables
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'certification'").fetchall())
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
        at = lambda run: queries.availability(con, on, queries.AsOf(run_id=run))[0]["models"]
        assert (at(r1), at(r2), at(r3)) == (2, 2, 2)
        keys = lambda run: sorted(r["model"] for r in queries.models(con, on, queries.AsOf(run_id=run)))
        assert keys(r1) == ["A", "B"] and keys(r2) == ["A", "C"]

        def changed(before, after):
            rows = queries.changes(con, before, after)["rows"]
            return {c: sorted(r["model"] for r in rows if r["change"] == c) for c in ("appeared", "disappeared")}

        assert changed(r1, r3) == {"appeared": ["C"], "disappeared": ["B"]}  # A changed: neither
        assert changed(r2, r3) == {"appeared": [], "disappeared": []}
        assert changed(r3, r1) == {"appeared": ["B"], "disappeared": ["C"]}
        versions = con.execute("SELECT record_key, first_run_id, last_run_id, gtins FROM certification ORDER BY ALL").fetchall()
    assert versions == [("A", r1, r2, []), ("A", r3, r3, []), ("B", r1, r1, ["04995047067368"]), ("C", r2, r3, [])]



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
    f3.write_text(f3.read_text().replace('"source": "tco"', '"source": "epeat"'))
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
    r1, f1 = run_with(db, [line("expired", valid_until="2026-01-01"), line("future", valid_from="2027-01-01", valid_until="2029-01-01"),
                           line("withdrawn", status="WITHDRAWN"), line("active", status="ACTIVE"), line("plain")])
    load_run(db, r1, "tco", f1, {}, COUNTS)
    with read_connection(db) as con:
        assert sorted(r["model"] for r in queries.models(con, date(2026, 6, 1))) == ["active", "plain"]
        assert sorted(r["model"] for r in queries.models(con, date(2025, 6, 1))) == ["active", "expired", "plain"]


def test_a_held_lock_is_waited_for_then_reported(tmp_path):
    db = tmp_path / "lw.duckdb"
    ensure_schema(db)
    import subprocess, sys, time
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
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
        "only 0% of records have a brand", "only 0% of records have a category"]
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


CASES = [queries.Filters(), queries.Filters(market="India"), queries.Filters(market="Belgium", min_tier="Gold"),
         queries.Filters(category="notebook", climate_plus=True), queries.Filters(label="TCO Certified", min_generation=10),
         queries.Filters(category="display", min_tier="Silver")]


@pytest.mark.parametrize("filters", CASES)
@pytest.mark.parametrize("day", [date(2026, 11, 27), date(2028, 6, 1), date(2019, 1, 1)])
def test_current_table_answers_as_the_versions_do(demo_db, filters, day):
    """The latest data is read from current_certification; the same run read through the
    versions (as of its id) must give every count and row alike."""
    with read_connection(demo_db) as con:
        assert queries._records(con, queries.AsOf())[0] == queries.CURRENT
        latest = queries.AsOf(run_id=max(s["run_id"] for s in queries.snapshot(con).values()))
        for query in (queries.availability, queries.label_totals, queries.qualifying, queries.expiry, queries.models,
                      queries.offers, queries.offer_summary):
            assert query(con, day, filters=filters) == query(con, day, latest, filters), query.__name__
        found = queries.availability(con, day, filters=filters)
    if day.year == 2026:  # every case counts something that day, so the comparison above compared data
        assert found
    if day.year == 2026 and filters == queries.Filters():
        assert {(r["label"], r["market"]) for r in found} >= {("EPEAT", None), ("EPEAT", "India"), ("TCO Certified", None)}


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
        con.execute("DROP TABLE current_certification")
        con.execute("ALTER TABLE crawl_run DROP COLUMN record_kind")
    with read_connection(db) as con:  # read from the versions until the next write
        assert queries._records(con, queries.AsOf())[0] != queries.CURRENT
        assert queries.availability(con, date(2026, 6, 1)) == before
    ensure_schema(db)
    with read_connection(db) as con:
        assert {kind for (kind,) in con.execute("SELECT record_kind FROM crawl_run").fetchall()} == {"certification"}
        assert con.execute(rows).fetchall() == [("epeat", "E"), ("tco", "A"), ("tco", "C")]
        assert queries.availability(con, date(2026, 6, 1)) == before
    assert [(r["source"], r["market"], r["models"]) for r in before] == [
        ("epeat", None, 1), ("epeat", "Belgium", 1), ("tco", None, 2)]
