"""EPREL at registry size: crawl + load of a bulk export through `labelwatch import`, each
registration counted in the 27 EU member states.

Usage: python -m bench.eprel [REGISTRATIONS]   (default 15000: 2,400 phones and tablets, the
third party's 2026 count rounded, and 12,600 displays, a guess: EPREL publishes no count). The
generated export is kept in bench/.cache/ for the next run. Prints records per second and peak
memory (max RSS of the measuring subprocess), then the load against DuckDB's own read_json of the
run file (bench.load).
"""

import sys

from bench.generate import eprel_export
from bench.load import import_file
from bench.measure import CACHE
from crawlers.vocabulary import EU_MEMBER_STATES

PHONE_SHARE = 0.16  # 2,400 of 15,000


def main(registrations: int) -> None:
    phones = round(registrations * PHONE_SHARE)
    displays = registrations - phones
    records = (phones * 2 + displays) * len(EU_MEMBER_STATES)  # two labels per phone; a record per member state
    export = CACHE / f"eprel-{registrations}.zip"
    if not export.exists():
        eprel_export(export, phones, displays)
    print(
        f"input: {export.name}, {phones:,} phone and {displays:,} display registrations, "
        f"{export.stat().st_size / 2**20:.1f} MiB zipped; {records:,} records ({len(EU_MEMBER_STATES)} member states)"
    )
    import_file("eprel", export, records, "records")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15_000)
