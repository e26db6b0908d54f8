"""A small smoke of the benchmark: it runs and prints its figures (no timing asserted)."""

import subprocess
import sys

from conftest import ROOT


def test_epeat_bench_smoke():
    result = subprocess.run([sys.executable, "-m", "bench.epeat", "430"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "parse only (python-calamine)" in result.stdout and "crawl + load (labelwatch import)" in result.stdout
    assert "status loaded, 430 items, errors 0" in result.stdout
