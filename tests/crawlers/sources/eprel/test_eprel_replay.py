"""EPREL end to end: a live crawl without a key fails saying how to get one; with a key (from the
environment) the key is sent but never logged or recorded; the demo recording's counts per
class, in a member state and in any market."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import ROOT, SNAPSHOTS, run_cli

KEY = "eprel-Key-7f3a9c"


def test_a_live_crawl_without_a_key_fails_saying_what_is_missing(tmp_path):
    db = tmp_path / "labelwatch.duckdb"
    result = run_cli("crawl", "eprel", "--db", db, env={"EPREL_API_KEY": ""})
    assert result.returncode == 1
    assert "eprel: run 1 FAILED" in result.stderr
    assert "EPREL_API_KEY" in result.stderr and "https://eprel.ec.europa.eu/screen/requestpublicapikey" in result.stderr
    assert "labelwatch import eprel FILE" in result.stderr
    (run,) = json.loads(run_cli("runs", "--format", "json", "--db", db, check=True).stdout)
    assert (run["status"], run["items"]) == ("failed", 0) and "no API key" in run["message"]


def mirror(recording: Path):
    """EPREL's API as the demo recording answers it, on 127.0.0.1; it records each request's key."""
    index = [json.loads(line) for line in (recording / "index.jsonl").read_text().splitlines()]
    answers = {e["url"].split("eprel.ec.europa.eu", 1)[1]: e for e in index if "eprel.ec.europa.eu" in e["url"]}
    keys: list = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            entry = answers.get(self.path)
            if entry is not None:
                keys.append(self.headers.get("X-API-KEY"))
            body = (recording / entry["body"]).read_bytes() if entry else b"{}"
            self.send_response(entry["status"] if entry else 404)
            self.send_header("Content-Type", entry["headers"]["Content-Type"][0] if entry else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", keys, server


def test_the_key_is_sent_but_never_logged_or_recorded(tmp_path):
    base, keys, server = mirror(SNAPSHOTS)
    recording, db = tmp_path / "recording", tmp_path / "labelwatch.duckdb"
    try:
        result = run_cli(
            "record",
            "eprel",
            recording,
            "--db",
            db,
            "--verbose",
            "--set",
            f"EPREL_API_URL={base}/api",
            "--set",
            "EPREL_PAGE_SIZE=4",
            "--set",
            "DOWNLOAD_DELAY=0",
            env={"EPREL_API_KEY": KEY},
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert len(keys) == 5 and set(keys) == {KEY}  # export refused, three pages, the display export
    assert KEY not in result.stdout + result.stderr
    written = b"".join(p.read_bytes() for p in recording.rglob("*") if p.is_file())
    assert KEY.encode() not in written
    (run,) = json.loads(run_cli("runs", "--format", "json", "--db", db, check=True).stdout)
    assert run["status"] == "loaded" and KEY not in json.dumps(run)


def availability(db, *args) -> list[dict]:
    result = run_cli("report", "availability", "--format", "json", "--db", db, "--valid-on", "2026-08-07", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_report_counts_phones_per_repairability_class_in_a_member_state_and_any_market(newest_db):
    belgium = availability(newest_db, "--label", "EU repairability class", "--market", "Belgium")
    assert [(r["level"], r["category"], r["market"], r["models"], r["brands"]) for r in belgium] == [
        ("C", "smartphone", "Belgium", 1, 1),
        ("B", "smartphone", "Belgium", 6, 6),
        ("A", "smartphone", "Belgium", 1, 1),
    ]  # 10 real phones: HAMMER withdrawn and DORO off the market by then (constructed), HMD's last version
    anywhere = availability(newest_db, "--label", "EU repairability class")
    markets = {r["market"] for r in anywhere}
    assert len(markets) == 28 and None in markets and "Malta" in markets  # 27 member states and any market
    assert {
        r["market"] for r in availability(newest_db, "--label", "EU repairability class", "--market", "Norway")
    } == set()
    no_market = [(r["level"], r["models"]) for r in anywhere if r["market"] is None]
    assert no_market == [("C", 1), ("B", 6), ("A", 1)]  # counted once, not once per country


def test_a_measure_criterion_keeps_the_records_that_state_it(newest_db):
    """Battery ≥ 1,000 cycles and IP54 or better: 5 of the 8 phones on the market (real values);
    a label whose records do not state the measures (TCO Certified) has no model meeting it."""
    phones = availability(
        newest_db, "--category", "smartphone", "--market", "Belgium",
        "--min-measure", "battery_cycles=1000", "--min-measure", "ip_rating=54",
    )  # fmt: skip
    assert [(r["label"], r["level"], r["models"]) for r in phones] == [
        ("EU energy label", "B", 2),
        ("EU energy label", "A", 3),
        ("EU repairability class", "B", 5),
    ]
    assert availability(newest_db, "--label", "TCO Certified", "--min-measure", "battery_cycles=1") == []
    assert availability(newest_db, "--label", "TCO Certified")  # it has models without the criterion


def test_a_bad_measure_criterion_is_one_line(newest_db):
    for value, says in (("battery=5", "expected NAME=NUMBER"), ("battery_cycles=many", "'many' is not a number")):
        result = run_cli("report", "availability", "--db", newest_db, "--min-measure", value)
        assert result.returncode == 2 and result.stderr.count("\n") == 1
        assert result.stderr.startswith("labelwatch: error: --min-measure") and says in result.stderr


def page(monkeypatch, db, name: str, **params):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LABELWATCH_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / f"{name}.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_availability_page_shows_which_classes_are_populated(monkeypatch, newest_db):
    at = page(monkeypatch, newest_db, "availability", valid_on="2026-08-07", category="display", lang="nl")
    assert "Welke niveaus bezet zijn" in [h.value for h in at.subheader]
    ladders = [d.value for d in at.dataframe if "modellen op dit niveau of beter" in d.value.columns]
    energy = next(t for t in ladders if "klasse A" in set(t["niveau"]))
    rows = energy[["niveau", "modellen", "merken", "modellen op dit niveau of beter", "merken op dit niveau of beter"]]
    assert rows.values.tolist() == [
        ["klasse A", 0, 0, 0, 0],  # no monitor reaches class A or B: said, not left out
        ["klasse B", 0, 0, 0, 0],
        ["klasse C", 1, 1, 1, 1],
        ["klasse D", 2, 2, 3, 3],
        ["klasse E", 4, 2, 7, 3],
        ["klasse F", 3, 3, 10, 5],
    ]
    assert "EU-energielabel" in [m.value.strip("*") for m in at.markdown]
    assert {"EU-energielabel: modellen", "EU-energielabel: merken"} <= {m.label for m in at.metric}


def test_the_pretender_check_offers_the_eprel_classes_and_measures(monkeypatch, newest_db):
    """Each label on its own, 8 phones on the market: repairability class B or better leaves 7 (vivo
    is C), and the energy label's 8 are untouched by it; 1,000 battery cycles then leave 5 under
    each label (vivo, realme and HMD declare 800)."""
    shown = {"tender_category": "smartphone", "published": "2026-08-07", "mode": "each"}
    at = page(monkeypatch, newest_db, "pretender", **shown, min_eu_repairability_class="B")
    assert {m.label: m.value for m in at.metric if m.label.startswith("models")} == {
        "models (EU energy label)": "8",
        "models (EU repairability class)": "7",
    }
    at = page(monkeypatch, newest_db, "pretender", **shown, min_eu_repairability_class="B", min_battery_cycles="1000")
    assert {m.label: m.value for m in at.metric if m.label.startswith("models")} == {
        "models (EU energy label)": "5",
        "models (EU repairability class)": "5",
    }
    asked = {n.label: n.value for n in at.number_input}
    assert asked["battery endurance in full charge cycles: at least"] == 1000.0
    assert asked["ingress protection (IP code): at least"] is None
    listed = at.dataframe[1].value
    assert set(listed["model"]) == {"C1 Pro", "T517F", "e15 (XT2523-6)", "DNP-NX9", "CPH2711"}


def test_the_level_ladder_agrees_with_the_counts_per_level(newest_db):
    """Per label, category and level: the models at that level are availability()'s count, the
    models at that level or better are the qualifying models with it as the minimum level."""
    from dataclasses import replace
    from datetime import date

    from store import queries
    from store.db import read_connection

    day, belgium = date(2026, 8, 7), queries.Filters(market="Belgium")
    with read_connection(newest_db) as con:
        ladder = queries.level_ladder(con, day, filters=belgium)
        counts = {
            (r["label"], r["category"], r["level"]): r["models"]
            for r in queries.availability(con, day, filters=belgium)
            if r["market"] in ("Belgium", None)
        }
        assert {(r["label"], r["category"]) for r in ladder} >= {
            ("EU energy label", "display"),
            ("EU energy label", "smartphone"),
            ("EU repairability class", "smartphone"),
            ("TCO Certified", "display"),
        }
        for row in ladder:
            assert row["models"] == counts[(row["label"], row["category"], row["level"])], row
            minimum = replace(belgium, category=row["category"], min_levels=((row["label"], row["level_rank"]),))
            qualifying = queries.qualifying(con, day, filters=minimum, labels=[row["label"]])
            assert row["models_or_better"] == len(qualifying), row
