"""What every benchmark shares: the input cache, a measured subprocess, and how often a timing is
repeated."""

import os
import subprocess
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def repeats(default: int) -> int:
    """How many times a timing is taken: `default`, or LABELWATCH_BENCH_REPEAT (the smoke tests
    set 1: they check that a benchmark runs and what it prints, not its figures)."""
    return max(1, int(os.environ.get("LABELWATCH_BENCH_REPEAT", default)))


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB, and stdout+stderr of a command run under /usr/bin/time."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "MAXRSS_KB=%M", *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    rss_kb = int(result.stderr.rsplit("MAXRSS_KB=", 1)[1].split()[0])
    return wall, rss_kb / 1024, result.stdout + result.stderr
