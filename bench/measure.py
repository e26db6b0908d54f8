"""What every benchmark shares: the input cache and a measured subprocess."""

import subprocess
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB, and stdout+stderr of a command run under /usr/bin/time."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "MAXRSS_KB=%M", *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    rss_kb = int(result.stderr.rsplit("MAXRSS_KB=", 1)[1].split()[0])
    return wall, rss_kb / 1024, result.stdout + result.stderr
