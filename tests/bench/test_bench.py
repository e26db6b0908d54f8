"""A small smoke of the benchmark: it runs and prints its figures (no timing asserted), each
timing taken once."""

import os
import shutil
import subprocess
import sys

from conftest import ROOT

ONCE = {**os.environ, "LABELWATCH_BENCH_REPEAT": "1"}


def test_epeat_bench_smoke():
    result = subprocess.run(
        [sys.executable, "-m", "bench.epeat", "430"], cwd=ROOT, env=ONCE, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "parse only (python-calamine)" in result.stdout and "crawl + load (labelwatch import)" in result.stdout
    assert "status loaded, 430 items, errors 0" in result.stdout


def test_eprel_bench_smoke():
    result = subprocess.run(
        [sys.executable, "-m", "bench.eprel", "100"], cwd=ROOT, env=ONCE, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "16 phone and 84 display registrations" in result.stdout and "3,132 records" in result.stdout
    assert "status loaded, 3,132 items, errors 0" in result.stdout and "load / read_json" in result.stdout


def test_tco_bench_smoke():
    result = subprocess.run(
        [sys.executable, "-m", "bench.tco", "2500"], cwd=ROOT, env=ONCE, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "2,500 GTINs on 10 pages + a 500-record feed (12 responses)" in result.stdout
    assert "status loaded" in result.stdout and "errors 0" in result.stdout


def test_offers_bench_smoke():
    result = subprocess.run(
        [sys.executable, "-m", "bench.offers", "100"], cwd=ROOT, env=ONCE, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "100 product pages on 10 shops' sitemaps (110 responses)" in result.stdout
    assert "status loaded, 100 items, errors 0" in result.stdout and "load / read_json" in result.stdout


def test_history_bench_smoke():
    shutil.rmtree(ROOT / "bench" / ".cache" / "history-3-430-2500", ignore_errors=True)  # measure the size anew
    result = subprocess.run(
        [sys.executable, "-m", "bench.history", "3", "430", "2500"],
        cwd=ROOT,
        env=ONCE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "3 weekly runs of each source" in result.stdout and "(target: under 1.5x)" in result.stdout
    weekly = result.stdout.split("a weekly load into the history", 1)[1].split("dashboard queries", 1)[0]
    assert "epeat        430 records" in weekly and "tco        3,409 records" in weekly
    assert " 0 new versions" not in weekly  # the renewed records, and only they, become versions
    for name in (
        "availability (Belgium: the page's default)",
        "pre-tender counts (display, Belgium)",
        "pre-tender first 1,000 models (display, Belgium)",
        "expiry (Belgium)",
        "trends",
        "changes (last two EPEAT runs)",
        "not dashboard page queries",
        "export: whole pre-tender list",
    ):
        assert name in result.stdout
    assert "availability" in result.stdout.split("full page renders", 1)[1]


def test_products_bench_smoke():
    result = subprocess.run(
        [sys.executable, "-m", "bench.products", "synthetic", "2000"],
        cwd=ROOT,
        env=ONCE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for step in ("first link:", "re-link, nothing changed:", "re-link after 1 % new models:"):
        assert step in result.stdout
    assert "unchanged=1" in result.stdout.split("re-link, nothing changed:", 1)[1].split("\n", 1)[0]
    assert "precision 1.000 (target 0.99)" in result.stdout
