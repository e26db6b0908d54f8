"""EPEAT at registry size: parse alone, and crawl + load through `labelwatch import`.

Usage: python -m bench.epeat [ROWS]   (default 250000; `make bench` runs it). The generated
export is kept in bench/.cache/ for the next run.
Prints rows per second and peak memory (max RSS of the measuring subprocess) for each, then
the load against DuckDB's own read_json of the run file (bench.load).
"""

import sys
import time

from bench.generate import epeat_export
from bench.load import import_file
from bench.measure import CACHE, measure

PARSE_ONLY = """
import sys
from python_calamine import CalamineWorkbook
rows = 0
for row in CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows():
    rows += 1
print(rows - 1)
"""


def main(rows: int) -> None:
    export = CACHE / f"epeat-{rows}.xlsx"
    if not export.exists():
        started = time.perf_counter()
        epeat_export(export, rows)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(f"input: {export.name}, {rows:,} rows, {export.stat().st_size / 2**20:.1f} MiB .xlsx")

    wall, rss, out = measure([sys.executable, "-c", PARSE_ONLY, str(export)])
    assert int(out.split()[0]) == rows, out
    print(f"parse only (python-calamine):    {wall:6.1f} s  {rows / wall:9,.0f} rows/s  peak {rss:6.0f} MiB")

    import_file("epeat", export, rows, "rows", "< 60 s, < 1024 MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 250_000)
