"""EPEAT at registry size: parse alone, and crawl + load through `labelwatch import`.

Usage: python -m bench.epeat [ROWS]   (default 250000; `make bench` runs it). The generated
export is kept in bench/.cache/ for the next run.
Prints rows per second and peak memory (max RSS of the measuring subprocess) for each, then
the load against DuckDB's own read_json of the run file (bench.load).
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import epeat_export
from bench.load import compare
from bench.measure import CACHE, measure
from store.run_files import run_file_path

PARSE_ONLY = """
import sys
from python_calamine import CalamineWorkbook
rows = 0
for row in CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows():
    rows += 1
print(rows - 1)
"""


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export = CACHE / f"epeat-{rows}.xlsx"
        if not export.exists():
            started = time.perf_counter()
            epeat_export(export, rows)
            print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
        print(f"input: {export.name}, {rows:,} rows, {export.stat().st_size / 2**20:.1f} MiB .xlsx")

        wall, rss, out = measure([sys.executable, "-c", PARSE_ONLY, str(export)])
        assert int(out.split()[0]) == rows, out
        print(f"parse only (python-calamine):    {wall:6.1f} s  {rows / wall:9,.0f} rows/s  peak {rss:6.0f} MiB")

        db = tmp / "lw.duckdb"
        wall, rss, out = measure([sys.executable, "-m", "labelwatch", "import", "epeat", str(export), "--db", str(db)])
        print(f"crawl + load (labelwatch import): {wall:6.1f} s  {rows / wall:9,.0f} rows/s  peak {rss:6.0f} MiB")
        runs = json.loads(
            subprocess.run(
                [sys.executable, "-m", "labelwatch", "runs", "-f", "json", "--db", str(db)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        print(
            f"  run: status {runs[0]['status']}, {runs[0]['items']:,} items, errors {runs[0]['errors']}; "
            f"database {db.stat().st_size / 2**20:.1f} MiB; targets: < 60 s, < 1024 MiB"
        )
        compare("epeat", run_file_path(db, "epeat", runs[0]["id"]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 250_000)
