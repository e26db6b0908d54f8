"""EPREL at registry size: crawl + load of a bulk export through `labelwatch import`, each
registration counted in the 27 EU member states.

Usage: python -m bench.eprel [REGISTRATIONS]   (default 15000: 2,400 phones and tablets, the
third party's 2026 count rounded, and 12,600 displays, a guess: EPREL publishes no count). The
generated export is kept in bench/.cache/ for the next run. Prints records per second and peak
memory (max RSS of the measuring subprocess), then the load against DuckDB's own read_json of the
run file (bench.load).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import eprel_export
from bench.load import compare
from bench.measure import CACHE, measure
from store.run_files import run_file_path

PHONE_SHARE = 0.16  # 2,400 of 15,000


def main(registrations: int) -> None:
    phones = round(registrations * PHONE_SHARE)
    displays = registrations - phones
    records = (phones * 2 + displays) * 27  # two labels per phone; one record per EU member state
    with tempfile.TemporaryDirectory() as tmp:
        export = CACHE / f"eprel-{registrations}.zip"
        if not export.exists():
            eprel_export(export, phones, displays)
        print(
            f"input: {export.name}, {phones:,} phone and {displays:,} display registrations, "
            f"{export.stat().st_size / 2**20:.1f} MiB zipped; {records:,} records (27 member states)"
        )
        db = Path(tmp) / "lw.duckdb"
        wall, rss, _ = measure([sys.executable, "-m", "labelwatch", "import", "eprel", str(export), "--db", str(db)])
        print(f"crawl + load (labelwatch import): {wall:6.1f} s  {records / wall:9,.0f} records/s  peak {rss:6.0f} MiB")
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
            f"database {db.stat().st_size / 2**20:.1f} MiB"
        )
        compare("eprel", run_file_path(db, "eprel", runs[0]["id"]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15_000)
