"""A small smoke of the benchmark: it runs and prints its figures (no timing asserted), each
timing taken once."""

import os
import shutil
import subprocess
import sys

from conftest import ROOT


def bench(*args: str, timeout: int = 300) -> str:
    """`python -m ARGS` (a benchmark) with each timing taken once: its output, after checking it ended well."""
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env={**os.environ, "LABELWATCH_BENCH_REPEAT": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_epeat_bench_smoke():
    out = bench("bench.epeat", "430")
    assert "parse only (python-calamine)" in out and "crawl + load (labelwatch import)" in out
    assert "status loaded, 430 items, errors 0" in out


def test_eprel_bench_smoke():
    out = bench("bench.eprel", "100")
    assert "16 phone and 84 display registrations" in out and "3,132 records" in out
    assert "status loaded, 3,132 items, errors 0" in out and "load / read_json" in out


def test_tco_bench_smoke():
    out = bench("bench.tco", "2500")
    assert "2,500 GTINs on 10 pages + a 500-record feed (12 responses)" in out
    assert "status loaded" in out and "errors 0" in out


def test_offers_bench_smoke():
    out = bench("bench.offers", "100")
    assert "100 product pages on 10 shops' sitemaps (110 responses)" in out
    assert "status loaded, 100 items, errors 0" in out and "load / read_json" in out


def test_history_bench_smoke():
    shutil.rmtree(ROOT / "bench" / ".cache" / "history-3-430-2500", ignore_errors=True)  # measure the size anew
    out = bench("bench.history", "3", "430", "2500", timeout=600)
    assert "3 weekly runs of each source" in out and "(target: under 1.5x)" in out
    weekly = out.split("a weekly load into the history", 1)[1].split("dashboard queries", 1)[0]
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
        "one device: words (HP EliteBook 840)",
        "one device: its offers (HP EliteBook 840)",
    ):
        assert name in out
    assert "availability" in out.split("full page renders", 1)[1]


def test_products_bench_smoke():
    out = bench("bench.products", "synthetic", "2000")
    for step in ("first link:", "re-link, nothing changed:", "re-link after 1 % new models:"):
        assert step in out
    assert "unchanged=1" in out.split("re-link, nothing changed:", 1)[1].split("\n", 1)[0]
    assert "precision 1.000 (target 0.99)" in out
