"""The command line end to end on the recorded bundle: crawl → DuckDB → report, and its errors."""

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, RECORDINGS, ROOT, SNAPSHOTS, main_in_process, run_cli

from crawlers.sources import all_sources
from crawlers.vocabulary import model_key, normalise_brand

ON = "2026-08-07"  # the feed capture's date: every feed certificate is valid then


def oracle(on: date) -> dict[tuple, dict]:
    """Expected availability computed straight from the real sample files, without labelwatch's parser."""
    feed = json.loads((FIXTURES / "tco" / "product-finder-app_items-get_compacted_2026-08-07.json").read_text())[
        "records"
    ]
    api = json.loads((FIXTURES / "tco" / "gtin-api_generic-gtin_displays_products.json").read_text())
    category = {"Displays": "display", "All-in-OnePCs": "all_in_one"}
    rows = [
        (
            (category[r["productCategories"][0]], r["standardVersion"]),
            normalise_brand(r["brand"]),
            r["productNames"][0],
            r["certificationNumber"],
            r["certifiedSince"],
            r["expiresAt"][:10],
        )
        for r in feed
    ]
    for p in api:
        info = p["certificationInfo"]
        rows += [
            (("display", "10"), None, name.strip(), info["certificateId"], info["startDate"], info["endDate"])
            for name in p["name"].split(",")
        ]
    result: dict[tuple, dict] = {}
    for key, brand, name, cert, start, end in rows:
        if date.fromisoformat(start) <= on <= date.fromisoformat(end):
            slot = result.setdefault(key, {"models": set(), "brands": set(), "certificates": set()})
            slot["models"].add((brand, model_key(name)))
            slot["brands"].discard(None)
            if brand:
                slot["brands"].add(brand)
            slot["certificates"].add(cert)
    return {k: {n: len(v) for n, v in slot.items()} for k, slot in result.items()}


def report(db, *extra) -> list[dict]:
    result = run_cli("report", "availability", "--format", "json", "--db", db, *extra, check=True)
    return json.loads(result.stdout)


def tco_report(db, *extra) -> list[dict]:
    return report(db, "--label", "TCO Certified", *extra)


def by_key(rows):
    return {(r["category"], r["level"]): {k: r[k] for k in ("models", "brands", "certificates")} for r in rows}


def test_replay_crawl_to_report_matches_the_samples(demo_db):
    assert {r["source"] for r in report(demo_db)} == {"tco", "epeat", "energystar", "eprel"}
    rows = tco_report(demo_db, "--valid-on", ON)
    assert {tuple(r) for r in rows} == {
        ("source", "label", "level", "category", "market", "models", "brands", "certificates")
    }
    assert {(r["source"], r["label"], r["market"]) for r in rows} == {("tco", "TCO Certified", None)}
    assert by_key(rows) == oracle(date.fromisoformat(ON))
    assert by_key(rows)[("display", "8")] == {"models": 86, "brands": 5, "certificates": 34}


def test_validity_day_changes_the_counts(demo_db):
    later = by_key(tco_report(demo_db, "--valid-on", "2027-09-01"))
    assert later == oracle(date(2027, 9, 1))
    assert (
        later[("display", "10")]["certificates"]
        < by_key(tco_report(demo_db, "--valid-on", ON))[("display", "10")]["certificates"]
    )


def test_csv_goes_to_stdout_alone(demo_db):
    result = run_cli(
        "report",
        "availability",
        "--format",
        "csv",
        "--valid-on",
        ON,
        "--label",
        "TCO Certified",
        "--db",
        demo_db,
        check=True,
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5 and rows[0]["source"] == "tco"
    assert "as of run" not in result.stdout


def test_runs_lists_the_demo_runs_each_with_the_day_of_its_recording(demo_db):
    runs = json.loads(run_cli("runs", "--format", "json", "--db", demo_db, check=True).stdout)
    assert [(r["source"], r["status"], r["items"], r["errors"], r["data_day"]) for r in runs] == [
        ("tco", "loaded", 1222, 0, "2026-08-07"),  # the real capture
        ("offers", "loaded", 9, 0, "2026-08-07"),
        ("eprel", "loaded", 891, 0, "2026-08-07"),  # (8 phones x 2 labels + 15 displays) x 27 member states
        ("epeat", "loaded", 1039, 0, "2026-08-07"),  # 644 Indian registrations and 395 Belgian copies
        ("energystar", "loaded", 85, 0, "2026-08-07"),  # 23 models in their markets
        ("tco", "loaded", 856, 0, "2025-07-15"),
        ("offers", "loaded", 9, 0, "2025-07-15"),
        ("eprel", "loaded", 918, 0, "2025-07-15"),  # (10 phones x 2 + 14 displays) x 27
        ("epeat", "loaded", 908, 0, "2025-07-15"),
        ("energystar", "loaded", 25, 0, "2025-07-15"),
        ("tco", "loaded", 655, 0, "2024-07-11"),
        ("offers", "loaded", 9, 0, "2024-07-11"),
        ("epeat", "loaded", 644, 0, "2024-07-11"),  # the real export
    ]
    assert runs[0]["origin"].startswith("replay ") and runs[0]["finished_at"] > "2026-08-07"


@pytest.fixture
def loaded_db(newest_db, tmp_path):
    db = tmp_path / "labelwatch.duckdb"
    shutil.copy(newest_db, db)
    return db


@pytest.fixture
def broken_bundle(tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(SNAPSHOTS, bundle)
    (bundle / "bodies" / "tco" / "items-get.json").write_text('[{"brand": "Acer", "name": "CB272')  # truncated
    return bundle


def test_a_broken_crawl_is_held_back_and_can_be_accepted_by_hand(loaded_db, broken_bundle):
    before = report(loaded_db, "--valid-on", ON)
    result = run_cli("crawl", "tco", "--replay", broken_bundle, "--db", loaded_db)
    assert result.returncode == 1
    assert "tco: run 6 HELD BACK as suspect, previous data stays current" in result.stderr
    assert "is not JSON" in result.stderr and "Traceback" not in result.stderr
    assert "record count fell 75% against run 5 (1,185 → 291; threshold 30%)" in result.stderr
    assert "error(s) logged (threshold 0)" in result.stderr
    assert "of records have a brand" not in result.stderr  # TCO has no brand floor: its GTIN API has no brands
    runs = json.loads(run_cli("runs", "--format", "json", "--db", loaded_db, check=True).stdout)
    assert [(r["id"], r["status"]) for r in runs] == [
        (6, "suspect"),
        (5, "loaded"),
        (4, "loaded"),
        (3, "loaded"),
        (2, "loaded"),
        (1, "loaded"),
    ]
    assert "Product Finder feed" in runs[0]["message"]
    assert report(loaded_db, "--valid-on", ON) == before

    assert "run 5 is loaded, not suspect" in run_cli("accept", "5", "--db", loaded_db).stderr
    accepted = run_cli("accept", "6", "--db", loaded_db, check=True)
    assert "run 6 accepted and loaded: 291 records" in accepted.stderr
    assert set(by_key(tco_report(loaded_db, "--valid-on", ON))) == {("display", "10")}  # only the API's displays now
    runs = json.loads(run_cli("runs", "--format", "json", "--db", loaded_db, check=True).stdout)
    assert runs[0]["status"] == "loaded" and runs[0]["message"].startswith("accepted by hand; was held back:")


def test_an_older_recording_replayed_late_is_held_back_not_loaded_over_newer_data(loaded_db):
    before = report(loaded_db, "--valid-on", ON)
    result = run_cli("crawl", "--replay", RECORDINGS[0], "--db", loaded_db)  # 2024: EPEAT, TCO and offers
    assert result.returncode == 1
    assert "epeat: run 6 HELD BACK as suspect" in result.stderr
    assert "its data is of 2024-07-11, older than the current data's (2026-08-07, run 2)" in result.stderr
    # the recording holds no ENERGY STAR or EPREL answers: those sources are not crawled
    assert "energystar" not in result.stderr and "eprel" not in result.stderr
    assert report(loaded_db, "--valid-on", ON) == before


def test_a_killed_crawl_leaves_the_previous_data_and_the_next_run_succeeds(loaded_db):
    before = report(loaded_db, "--valid-on", ON)
    crawl = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelwatch",
            "crawl",
            "tco",
            "--replay",
            SNAPSHOTS,
            "--db",
            loaded_db,
            "--set",
            "LABELWATCH_REPLAY_DELAY=2",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run_file = loaded_db.parent / "runs" / loaded_db.name / "tco" / "run-6.jsonl"
    deadline = time.monotonic() + 60
    while not (run_file.exists() and run_file.read_bytes().count(b"\n") > 1) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    runs = json.loads(run_cli("runs", "--format", "json", "--db", loaded_db, check=True).stdout)
    assert [(r["id"], r["status"]) for r in runs] == [
        (6, "killed"),
        (5, "loaded"),
        (4, "loaded"),
        (3, "loaded"),
        (2, "loaded"),
        (1, "loaded"),
    ]
    assert report(loaded_db, "--valid-on", ON) == before
    run_cli("crawl", "tco", "--replay", SNAPSHOTS, "--db", loaded_db, check=True)
    assert report(loaded_db, "--as-of", "7", "--valid-on", ON) == before


def test_as_of_reads_an_earlier_run(loaded_db, tmp_path):
    api_only = tmp_path / "api.json"
    shutil.copy(FIXTURES / "tco" / "gtin-api_generic-gtin_displays_products.json", api_only)
    held = run_cli("import", "tco", api_only, "--db", loaded_db)
    assert held.returncode == 1 and "HELD BACK as suspect" in held.stderr
    run_cli("accept", "6", "--db", loaded_db, check=True)
    now = by_key(tco_report(loaded_db, "--valid-on", ON))
    assert set(now) == {("display", "10")} and now[("display", "10")]["brands"] == 0
    assert by_key(tco_report(loaded_db, "--as-of", "5", "--valid-on", ON)) == oracle(date.fromisoformat(ON))


def test_import_goes_through_the_parser_and_load_path(tmp_path):
    db = tmp_path / "lw.duckdb"
    feed = SNAPSHOTS / "bodies" / "tco" / "items-get.json"
    result = run_cli("import", "tco", feed, "--db", db, check=True)
    assert "loaded: 895 items, 894 records" in result.stderr
    rows = report(db, "--valid-on", ON)
    assert sum(r["certificates"] for r in rows) == 340


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "tco", "no/such/file.json"], "no/such/file.json: no such file"),
        (
            ["import", "blauer_engel", "pyproject.toml"],
            f"unknown source blauer_engel; known: {', '.join(all_sources())}",
        ),
        (
            ["crawl", "nosuch", "--replay", str(SNAPSHOTS)],
            f"unknown source nosuch; known: {', '.join(all_sources())}",
        ),
        (
            ["report", "availability", "--min-level", "EPEAT=Platinum"],
            "--min-level 'EPEAT=Platinum': 'Platinum' is not a level of EPEAT; levels: Bronze < Silver < Gold",
        ),
        (["report", "availability", "--min-level", "Gold"], "--min-level 'Gold': expected LABEL=LEVEL"),
        (
            ["report", "availability", "--min-level", "Blue Angel=Gold"],
            "--min-level: unknown label 'Blue Angel'; known: ",
        ),
        (
            ["report", "availability", "--flag", "Energy Saver"],
            "--flag 'Energy Saver': unknown flag; known: Most Efficient, Workstation, Climate+",
        ),
        (["crawl", "--replay", "tests"], "tests: no index.jsonl there"),
        (["report", "availability", "--as-of", "yesterday"], "neither a run id nor a YYYY-MM-DD date"),
        (["report", "availability", "--category", "laptop"], "--category 'laptop': unknown category; known: notebook,"),
        (
            ["report", "offers", "--label", "tco"],
            "--label 'tco': unknown label; known: ENERGY STAR, EPEAT, EU energy label, EU repairability class, TCO",
        ),
        (["report", "availability", "--valid-on", "2026-13-01"], "--valid-on '2026-13-01': not a YYYY-MM-DD date"),
        (["runs", "--limit", "-1"], "Invalid value for '--limit': Input should be greater than or equal to 1"),
        (["runs", "--limit", "99999999999"], "Invalid value for '--limit'"),
        (["runs", "--source", "blauer_engel"], "unknown source blauer_engel"),
        (["report", "availability", "--nope"], "No such option: --nope"),
        (["nosuch"], "No such command 'nosuch'"),
    ],
)
def test_expected_failures_end_with_one_line(args, message, tmp_path):
    result = main_in_process(*args, "--db", tmp_path / "lw.duckdb")
    assert result.returncode == 2
    assert result.stderr.startswith("labelwatch: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "lw.duckdb").exists()


def test_reading_a_missing_database_says_so(tmp_path):
    result = run_cli("runs", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 2 and "no database yet" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_importing_corrupt_json_fails_the_run_with_a_reason(tmp_path):
    bad = tmp_path / "feed.json"
    bad.write_text('[{"brand": "Acer",,}]')
    result = run_cli("import", "tco", bad, "--db", tmp_path / "lw.duckdb")
    assert result.returncode == 1
    assert "saved file at file://" in result.stderr and "is not JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_lw_db_environment_variable_selects_the_database(demo_db):
    result = run_cli("runs", "--format", "json", env={"LABELWATCH_DB": str(demo_db)}, check=True)
    assert json.loads(result.stdout)[0]["source"] == "tco"


def test_one_source_failing_does_not_hold_back_another_crawled_with_it(tmp_path):
    """Both sources crawl in one process: EPEAT's broken export fails EPEAT's run only."""
    bundle = tmp_path / "bundle"
    shutil.copytree(SNAPSHOTS, bundle)
    (bundle / "bodies" / "epeat" / "computers-and-displays.xlsx").write_bytes(b"PK\x03\x04 truncated")
    db = tmp_path / "lw.duckdb"
    result = run_cli("crawl", "--replay", bundle, "--db", db)
    assert result.returncode == 1
    runs = {r["source"]: r for r in json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)}
    assert runs["epeat"]["status"] in ("failed", "suspect")
    assert (runs["tco"]["status"], runs["tco"]["errors"]) == ("loaded", 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: (b / "settings.json").write_text('{"LABELWATCH_MONITOR_MAX_DROP": 1.0, "LABELWATCH_DB": "x"}'),
            "refused: LABELWATCH_DB, LABELWATCH_MONITOR_MAX_DROP",
        ),
        (
            lambda b: (b / "settings.json").write_text('{"DOWNLOADER_MIDDLEWARES": {}}'),
            "refused: DOWNLOADER_MIDDLEWARES",
        ),
        (lambda b: (b / "settings.json").write_text("{"), "settings.json: not JSON"),
        (
            lambda b: (b / "index.jsonl").write_text(
                '{"method": "GET", "url": "https://x.test/", "status": 200, "body": "/proc/self/environ"}\n'
            ),
            "index.jsonl: line 1 is not a recorded response (body '/proc/self/environ' is outside the recording)",
        ),
        (lambda b: (b / "index.jsonl").write_text("{not json\n"), "index.jsonl: line 1 is not a recorded response"),
    ],
)
def test_a_bundle_that_oversteps_is_refused_before_anything_runs(tmp_path, change, message):
    """A recording is input: it cannot change the database, the monitors or the middlewares,
    nor make the replay read outside itself."""
    bundle = tmp_path / "bundle"
    shutil.copytree(SNAPSHOTS, bundle)
    change(bundle)
    result = main_in_process("crawl", "tco", "--replay", bundle, "--db", tmp_path / "lw.duckdb")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("labelwatch: error: --replay: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert not (tmp_path / "lw.duckdb").exists() and not (tmp_path / "x").exists()


def test_the_command_line_wins_over_the_recordings_settings():
    from labelwatch import _settings, replay_settings

    settings = _settings(ROOT / "lw.duckdb", ["TCO_PRODUCT_TYPES=Notebooks"], replay_settings(SNAPSHOTS))
    assert settings["TCO_PRODUCT_TYPES"] == "Notebooks"
    assert settings["OFFERS_SHOPS"][0]["key"] == "otto-de"  # the recording's, over the declared default
    assert settings["LABELWATCH_DB"] == str(ROOT / "lw.duckdb")


def test_a_path_that_is_no_database_is_one_line_for_every_command(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "text.duckdb").write_text("not a database\n")
    sqlite3.connect(tmp_path / "sqlite.duckdb").execute("CREATE TABLE t (x)").connection.commit()
    feed = SNAPSHOTS / "bodies" / "tco" / "items-get.json"
    for db, problem in (
        (tmp_path / "folder", "a directory, not a database file"),
        ("/dev/null", "not a regular file, not a database file"),
        (tmp_path / "text.duckdb", "is not a valid DuckDB database file"),
        (tmp_path / "sqlite.duckdb", "cannot open"),
    ):
        for args in (["runs"], ["report", "availability"], ["import", "tco", feed], ["accept", "1"]):
            result = main_in_process(*args, "--db", db)
            assert (result.returncode, result.stdout) == (2, ""), (args, db, result.stderr)
            assert result.stderr.startswith(f"labelwatch: error: {db}") and result.stderr.count("\n") == 1
            assert problem in result.stderr
    assert not (Path.home() / ".duckdb" / "extensions").exists() or not any(
        (Path.home() / ".duckdb" / "extensions").rglob("sqlite*")
    )  # no extension fetched to read another kind of file


def test_a_database_path_with_url_characters_is_a_path(tmp_path):
    db = tmp_path / "a?b#c%20d.duckdb"
    run_cli("import", "tco", SNAPSHOTS / "bodies" / "tco" / "items-get.json", "--db", db, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a?b#c%20d.duckdb", "locks", "runs"]
    assert report(db, "--valid-on", ON)


def test_filters_and_snapshots_the_data_does_not_have_are_named(demo_db):
    for args, message in (
        (
            ["--market", "narnia"],
            "--market 'narnia': not a country name; markets in the data: Austria, Belgium, Bulgaria, Canada, Croatia, "
            "Cyprus, Czechia, Denmark, Estonia, Finland, France, Germany, Greece, Hungary, India, Ireland, Italy, Japan, "
            "Latvia, Lithuania, Luxembourg, Malta, Netherlands, Poland, Portugal, Romania, Slovakia, Slovenia, Spain, "
            "Sweden, Switzerland, Taiwan, United States",
        ),
        (["--as-of", "999"], "--as-of 999: no run 999 in this database"),
        (["--as-of", "2020-01-01"], "--as-of 2020-01-01: no data yet on that day; the first loaded run's data is of"),
    ):
        result = main_in_process("report", "availability", *args, "--db", demo_db)
        assert (result.returncode, result.stderr.count("\n")) == (2, 1) and message in result.stderr
    india = report(demo_db, "--market", "india", "--valid-on", ON)  # any case, as the data spells it
    assert india and {r["market"] for r in india} == {"India", None}
    assert report(demo_db, "--label", "tco certified", "--valid-on", ON) == report(
        demo_db, "--label", "TCO Certified", "--valid-on", ON
    )


def test_help_names_sources_labels_and_categories_and_keeps_brackets():
    top = main_in_process("--help").stdout
    assert f"Sources: {'; '.join(f'{name} ({source.title})' for name, source in all_sources().items())}." in " ".join(
        top.split()
    )
    assert "Categories: notebook, desktop, all_in_one," in top
    schedule = " ".join(main_in_process("schedule", "--help").stdout.split())
    assert "TOML: [defaults] and a [sources.NAME] table per source" in schedule and "<bool>" not in schedule
    assert "[default: schedule.toml]" in schedule
    assert run_cli("--version", check=True).stdout.startswith("labelwatch 0.")  # the installed package's


def test_a_piped_table_is_not_wrapped(demo_db):
    table = run_cli("report", "offers", "--list", "--db", demo_db, check=True).stdout
    rows = [line for line in table.splitlines() if line.startswith("│")]
    assert len(rows) == len(json.loads(run_cli("report", "offers", "--list", "-f", "json", "--db", demo_db).stdout))
    assert all(len(line) > 200 for line in rows)  # one line per offer, not folded at 80 columns
    assert "\x1b[" not in table  # no colour codes in a pipe


def test_an_offers_measures_are_an_object_in_json_and_json_text_in_csv(demo_db):
    args = ("report", "offers", "--list", "--valid-on", "2026-12-01", "--db", demo_db)
    listed = json.loads(main_in_process(*args, "-f", "json").stdout)
    written = list(csv.DictReader(io.StringIO(main_in_process(*args, "-f", "csv").stdout)))
    assert [json.loads(row["measures"]) if row["measures"] else None for row in written] == [
        row["measures"] for row in listed
    ]
    hmd = [row["measures"] for row in listed if row["name"].startswith("HMD") and row["label"] == "EU energy label"]
    assert hmd == [{**hmd[0], "battery_cycles": 800.0, "ip_rating": 54.0}]  # its EPREL registration's


def test_sigterm_twice_stops_a_crawl_within_seconds_and_says_why(tmp_path):
    db = tmp_path / "lw.duckdb"
    crawl = subprocess.Popen(
        [sys.executable, "-m", "labelwatch", "crawl", "tco", "--replay", SNAPSHOTS, "--db", db]
        + ["--set", "LABELWATCH_REPLAY_DELAY=2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    run_file = db.parent / "runs" / db.name / "tco" / "run-1.jsonl"
    deadline = time.monotonic() + 60
    while not run_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    stopped = time.monotonic()
    crawl.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    crawl.send_signal(signal.SIGTERM)
    _, stderr = crawl.communicate(timeout=30)
    assert time.monotonic() - stopped < 15
    assert crawl.returncode != 0 and "None" not in stderr and "Traceback" not in stderr
    [run] = json.loads(run_cli("runs", "--format", "json", "--db", db, check=True).stdout)
    assert run["status"] in ("failed", "killed") and run["message"] != "None"


def test_the_dashboard_serves_a_database_it_cannot_write_read_only(monkeypatch, demo_db, capsys):
    """As root every file is writable, so the refusal DuckDB gives a reader without write
    permission is stood in for; what is checked is that the server still starts, on that file."""
    import labelwatch
    from store.db import DatabaseUnusable

    def refuse(path):
        raise DatabaseUnusable(f"{path}: cannot open for writing: IO Error: Permission denied")

    started = {}

    def serve(program, args, env):
        started.update(args=args, db=env["LABELWATCH_DB"])

    monkeypatch.setattr(labelwatch, "ensure_schema", refuse)
    monkeypatch.setattr(labelwatch.os, "execvpe", serve)
    labelwatch.dashboard(db=demo_db, port=8599, address="127.0.0.1")
    assert started["db"] == str(demo_db.resolve()) and "8599" in started["args"]
    said = capsys.readouterr().err
    assert "cannot open for writing: IO Error: Permission denied: serving it read-only" in " ".join(said.split())


def test_a_run_held_back_with_no_records_does_not_advise_accepting_it(tmp_path):
    empty = tmp_path / "feed.json"
    empty.write_text("[]")
    result = run_cli("import", "tco", empty, "--db", tmp_path / "lw.duckdb")
    assert result.returncode == 1
    assert (
        "HELD BACK as suspect, previous data stays current: " in result.stderr and "parsed zero items" in result.stderr
    )
    assert "it has no records, so there is nothing to accept" in result.stderr
    assert "labelwatch accept" not in result.stderr
