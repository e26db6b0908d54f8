"""ENERGY STAR end to end from a recording of the real rows: a catalogue naming a changed
dataset id, three pages (the last short), a 429 answered by a retry, the counts in the report
and the measures' thresholds."""

import json
from datetime import date

from conftest import FIXTURES, run_cli

from store import queries
from store.db import read_connection

API = "https://data.energystar.gov"
COMPUTERS = json.loads((FIXTURES / "energystar" / "computers_rxdj-2c88_sample.json").read_text()) + json.loads(
    (FIXTURES / "energystar" / "computers_rxdj-2c88_samsung_rows.json").read_text()
)
DISPLAYS = json.loads((FIXTURES / "energystar" / "displays_qbg3-d468_sample.json").read_text())
DATE = {"Date": ["Mon, 21 Sep 2026 09:00:00 GMT"], "Content-Type": ["application/json"]}


def record(tmp_path):
    """The recording: computers under a new id (zz99-yy88), pages of 8, page 2 first answered 429."""
    (tmp_path / "bodies").mkdir(parents=True)
    index = []

    def answer(url: str, content, status: int = 200, headers: dict | None = None):
        body = f"bodies/{len(index)}.json"
        (tmp_path / body).write_text(json.dumps(content))
        index.append(
            {"method": "GET", "url": url, "status": status, "headers": {**DATE, **(headers or {})}, "body": body}
        )

    answer(
        f"{API}/data.json",
        {
            "dataset": [
                {"title": "ENERGY STAR Certified Computers V9.0", "identifier": f"{API}/api/views/zz99-yy88"},
                {"title": "ENERGY STAR Certified Displays", "landingPage": f"{API}/d/qbg3-d468"},
            ]
        },
    )
    for offset in (0, 8, 16):
        url = f"{API}/resource/zz99-yy88.json?$limit=8&$offset={offset}&$order=:id"
        if offset == 8:
            answer(url, {"message": "Too many requests"}, 429, {"Retry-After": ["0"]})
        answer(url, COMPUTERS[offset : offset + 8])
    answer(f"{API}/resource/qbg3-d468.json?$limit=8&$offset=0&$order=:id", DISPLAYS)
    (tmp_path / "index.jsonl").write_text("".join(json.dumps(line) + "\n" for line in index))
    (tmp_path / "settings.json").write_text(json.dumps({"ENERGYSTAR_PAGE_SIZE": 8}))
    return tmp_path


def test_a_recorded_crawl_pages_retries_and_counts(tmp_path):
    recording, db = record(tmp_path / "recording"), tmp_path / "labelwatch.duckdb"
    run_cli("crawl", "--replay", recording, "--set", "RETRY_ENABLED=True", "--db", db, check=True)
    (run,) = json.loads(run_cli("runs", "--format", "json", "--db", db, check=True).stdout)
    assert (run["source"], run["status"], run["items"], run["data_day"]) == ("energystar", "loaded", 85, "2026-09-21")
    with read_connection(db) as con:
        stats = queries.run_stats(con, run["id"])
        bands = queries.measure_thresholds(con, date(2026, 12, 1), "below_limit_percent", [10, 40, 60])
        power = queries.measure_by_band(con, date(2026, 12, 1), "on_mode_power_w", "screen_size_in", [0, 70, 80])
    assert stats["energystar/dataset_id_changed/computers"] == 1
    assert stats["downloader/response_status_count/429"] == 1 and stats["retry/count"] == 1
    assert stats["energystar/pages/computers"] == 3 and stats["energystar/pages/displays"] == 1
    report = json.loads(run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout)
    counts = {(r["category"], r["market"]): (r["models"], r["brands"]) for r in report}
    assert counts[("notebook", None)] == (12, 2)  # 2 Lenovo, 10 Samsung
    assert counts[("notebook", "Canada")] == (11, 2)  # XE525QEA is listed in the United States only
    assert counts[("tablet", None)] == (7, 1) and counts[("all_in_one", None)] == (1, 1)
    assert counts[("display", "Japan")] == (3, 1)
    assert not [r for r in report if r["market"] == "Belgium"]  # ENERGY STAR lists no EU market
    notebooks = {b["threshold"]: (b["models"], b["measured"]) for b in bands if b["category"] == "notebook"}
    assert notebooks == {10: (2, 2), 40: (2, 2), 60: (0, 2)}  # 52.9 % and 55.2 % below; Samsung rows carry no TEC
    assert [(p["band_from"], p["band_to"], p["models"], p["median"]) for p in power] == [
        (0, 70, 1, 131.04),  # the 65" signage display
        (70, 80, 1, 147.35),
        (80, None, 1, 183.65),
    ]


def test_import_reads_the_rows_saved_from_the_portal(tmp_path):
    db = tmp_path / "labelwatch.duckdb"
    result = run_cli("import", "energystar", FIXTURES / "energystar" / "displays_qbg3-d468_sample.json", "--db", db)
    assert result.returncode == 0 and "energystar: run 1 loaded: 15 items, 15 records" in result.stderr
    report = json.loads(run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout)
    assert {
        (r["level"], r["category"], r["market"], r["models"]) for r in report if r["market"] in (None, "Taiwan")
    } == {
        ("8.0", "display", None, 3),
        ("8.0", "display", "Taiwan", 3),
    }
