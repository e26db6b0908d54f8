"""labelwatch's load of a run file against DuckDB reading the same file by itself.

Usage: python -m bench.load SOURCE RUN_FILE [KIND]. The registry benchmarks call `compare` (through
`import_file` or `replay_crawl`) with the run file their crawl wrote. Both sides run five times
(LABELWATCH_BENCH_REPEAT: another number), alternating, each in a fresh process on a fresh database: the baseline is `CREATE TABLE AS SELECT * FROM
read_json(...)` with the run file's column types and DuckDB's default settings; the load is
store.load.load_run (version merge, content hashes, the source's monitors, run bookkeeping, the
derived tables, one transaction, two threads, 384 MB memory limit).
"""

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import measure, repeats
from store.run_files import run_file_path

READ_JSON_ONLY = """
import sys, time, duckdb
from store.records import KINDS
con = duckdb.connect(sys.argv[2])
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
con.execute("CREATE TABLE lines AS SELECT * FROM read_json($f, format = 'newline_delimited', columns = $c)",
            {"f": sys.argv[1], "c": KINDS[sys.argv[3]].columns})
con.execute("CHECKPOINT")
print("RESULT", time.perf_counter() - started, con.execute("SELECT count(*) FROM lines").fetchone()[0])
"""

LOAD = """
import json, sys, time
from pathlib import Path
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from store.load import load_run, start_run
from store.monitors import Thresholds
db, run_file, source = Path(sys.argv[2]), Path(sys.argv[1]), sys.argv[3]
settings = Settings()
settings.setmodule("crawlers.settings")
SpiderLoader.from_settings(settings).load(source).update_settings(settings)  # the source's monitor floors
with run_file.open() as lines:
    first = json.loads(lines.readline())
wanted = first.get("labelwatch_run_file", first)["run_id"]
run_id = 0
while run_id < wanted:  # the run file's lines name their run
    run_id, _ = start_run(db, source, "bench", sys.argv[4])
started = time.perf_counter()
records = load_run(db, run_id, source, run_file, {}, {"items": 0, "invalid": 0, "errors": 0},
                   checks=Thresholds.from_settings(settings), own_file=False)
print("RESULT", time.perf_counter() - started, records)
"""


def newest_run(db: Path) -> dict:
    """The newest run of a benchmark's database, as `labelwatch runs -f json` gives it."""
    runs = subprocess.run(
        [sys.executable, "-m", "labelwatch", "runs", "-f", "json", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(runs)[0]


def import_file(source: str, file: Path, count: int, unit: str, target: str = "") -> None:
    """`labelwatch import` of a registry file into a fresh database: `count` `unit` per second,
    peak memory, the run's outcome and the database's size, then the load against read_json of
    its run file (compare)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lw.duckdb"
        wall, rss, _ = measure([sys.executable, "-m", "labelwatch", "import", source, str(file), "--db", str(db)])
        print(f"crawl + load (labelwatch import): {wall:6.1f} s  {count / wall:9,.0f} {unit}/s  peak {rss:6.0f} MiB")
        run = newest_run(db)
        print(
            f"  run: status {run['status']}, {run['items']:,} items, errors {run['errors']}; "
            f"database {db.stat().st_size / 2**20:.1f} MiB{f'; targets: {target}' if target else ''}"
        )
        compare(source, run_file_path(db, source, run["id"]))


def replay_crawl(source: str, bundle: Path, target: str, kind: str = "certification") -> None:
    """A replay crawl + load of a bundle into a fresh database: throughput, peak memory and the
    run's outcome, then the load against read_json of its run file (compare)."""
    requests = len((bundle / "index.jsonl").read_text().splitlines())
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lw.duckdb"
        wall, rss, _ = measure(
            [sys.executable, "-m", "labelwatch", "crawl", source, "--replay", str(bundle), "--db", str(db)]
        )
        run = newest_run(db)
        print(
            f"replay crawl + load:             {wall:6.1f} s  {requests / wall:9,.0f} requests/s  "
            f"{run['items'] / wall:9,.0f} items/s  peak {rss:6.0f} MiB"
        )
        print(f"  run: status {run['status']}, {run['items']:,} items, errors {run['errors']}; target: {target}")
        compare(source, run_file_path(db, source, run["id"]), kind)


def compare(source: str, run_file: Path, kind: str = "certification") -> None:
    """Print both timings (inside the process, connection set-up excluded) and their ratio: the
    medians of 5 alternating runs (measure.repeats), each on a fresh database (one run of either
    side varies by 20-30 % on this machine)."""
    repeat = repeats(5)
    lines = sum(1 for _ in run_file.open("rb"))
    bases, loads = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            _, base_rss, out = measure(
                [sys.executable, "-c", READ_JSON_ONLY, str(run_file), f"{tmp}/baseline.duckdb", kind]
            )
            bases.append(float(out.split("RESULT ")[1].split()[0]))
            _, load_rss, out = measure([sys.executable, "-c", LOAD, str(run_file), f"{tmp}/lw.duckdb", source, kind])
            loads.append(float(out.split("RESULT ")[1].split()[0]))
            records = int(out.split("RESULT ")[1].split()[1])
    base, load = statistics.median(bases), statistics.median(loads)
    spread = ", ".join(f"{base:.2f}/{load:.2f}" for base, load in zip(bases, loads, strict=False))
    print(f"DuckDB read_json of the run file:  {base:6.1f} s  {lines / base:9,.0f} lines/s  peak {base_rss:6.0f} MiB")
    print(
        f"labelwatch load of the run file:   {load:6.1f} s  {lines / load:9,.0f} lines/s  peak {load_rss:6.0f} MiB"
        f"  ({records:,} records)"
    )
    print(f"  load / read_json: {load / base:.2f}x, medians of {repeat} runs (s: {spread})  (target: within 3x)")


if __name__ == "__main__":
    compare(sys.argv[1], Path(sys.argv[2]), *sys.argv[3:])
