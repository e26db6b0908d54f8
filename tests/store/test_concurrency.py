"""Processes that meet on one database: a crawl beside the dashboard's reads, two crawls of one
source, and a load killed half-way."""

import json
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, SNAPSHOTS, run_cli

READER = """
import sys, time
from datetime import date
from pathlib import Path
from store import queries
from store.db import read_connection
db, seconds = Path(sys.argv[1]), float(sys.argv[2])
ok = failed = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    try:
        with read_connection(db, wait_seconds=10) as con:  # the dashboard's path
            queries.availability(con, date.today())
        ok += 1
    except Exception as error:
        failed += 1
        print("FAILED", type(error).__name__, error, flush=True)
print("OK", ok, "FAILED", failed, flush=True)
"""


def test_dashboard_reads_and_a_crawl_share_the_database(newest_db, tmp_path):
    db = tmp_path / "lw.duckdb"
    db.write_bytes(newest_db.read_bytes())
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), "25"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    time.sleep(2)
    crawl = run_cli("crawl", "--replay", SNAPSHOTS, "--db", db)
    out, _ = reader.communicate(timeout=120)
    assert crawl.returncode == 0, crawl.stderr
    assert "epeat: run 7 loaded" in crawl.stderr and "tco: run 10 loaded" in crawl.stderr
    ok, failed = int(out.split()[-3]), int(out.split()[-1])
    assert failed == 0, out
    assert ok > 10


def test_a_second_crawl_of_the_same_source_refuses(newest_db, tmp_path):
    db = tmp_path / "lw.duckdb"
    db.write_bytes(newest_db.read_bytes())
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelwatch",
            "crawl",
            "tco",
            "--replay",
            SNAPSHOTS,
            "--db",
            db,
            "--set",
            "LABELWATCH_REPLAY_DELAY=2",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        lock = db.parent / "locks" / f"{db.name}.tco.lock"
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        second = run_cli("crawl", "tco", "--replay", SNAPSHOTS, "--db", db)
        assert second.returncode == 2
        assert f"tco: another crawl of this source into {db} is running (pid {first.pid})" in second.stderr
        assert run_cli("crawl", "epeat", "--replay", SNAPSHOTS, "--db", db).returncode == 0  # other sources go on
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0
    runs = json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)
    assert sorted((r["source"], r["status"]) for r in runs) == [
        ("energystar", "loaded"),
        ("epeat", "loaded"),
        ("epeat", "loaded"),
        ("eprel", "loaded"),
        ("offers", "loaded"),
        ("tco", "loaded"),
        ("tco", "loaded"),
    ]


KILLED_LOAD = """
import json, sys
from pathlib import Path
from store.load import load_run, start_run
db = Path(sys.argv[1])
run_id, path = start_run(db, "tco", "test")
with path.open("a") as f:  # after the header line start_run wrote
    for n in range(300_000):
        f.write(json.dumps({"source": "tco", "run_id": run_id, "record_key": f"K{n}", "label": "TCO Certified",
            "level": "10", "brand": "Acer", "brand_normalised": "Acer", "model": f"M{n}", "model_key": f"m{n}",
            "category": "display", "category_raw": "Displays", "certificate_id": f"C{n}", "valid_from": None,
            "valid_until": "2030-01-01", "status": None, "gtins": [], "url": None}) + "\\n")
print("LOADING", run_id, flush=True)
load_run(db, run_id, "tco", path, {}, {"items": 300000, "invalid": 0, "errors": 0})
print("LOADED", flush=True)
"""


def test_a_load_killed_half_way_leaves_the_previous_data(newest_db, tmp_path):
    db = tmp_path / "lw.duckdb"
    db.write_bytes(newest_db.read_bytes())
    before = run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout
    loader = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert loader.stdout.readline().startswith("LOADING")
    time.sleep(0.5)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    runs = json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)
    assert (runs[0]["id"], runs[0]["status"]) == (6, "killed")  # killed before its load committed
    assert run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout == before
    again = run_cli("crawl", "tco", "--replay", SNAPSHOTS, "--db", db, check=True)
    assert "tco: run 7 loaded" in again.stderr
