"""TCO at registry size: a replay crawl of a 20,000-record feed and 100,000 GTINs on 400 API pages.

Usage: python -m bench.tco [GTINS]   (default 100000; `make bench` runs it)
Prints requests/s, items/s, wall time and peak memory of the replay crawl + load, and the
bare parse (json.loads of every body) as the baseline.
"""

import sys
import time

from bench.generate import tco_bundle
from bench.load import replay_crawl
from bench.measure import CACHE, measure

PARSE_ONLY = """
import json, sys
from pathlib import Path
records = 0
for line in (Path(sys.argv[1]) / "index.jsonl").read_text().splitlines():
    data = json.loads((Path(sys.argv[1]) / json.loads(line)["body"]).read_bytes())
    records += len(data) if isinstance(data, list) else len((data.get("data") or {}).get("products") or [])
print(records)
"""


def main(gtins: int) -> None:
    pages = max(1, gtins // 250)
    bundle = CACHE / f"tco-{gtins}"
    if not (bundle / "index.jsonl").exists():
        started = time.perf_counter()
        tco_bundle(bundle, feed_records=max(1, gtins // 5), gtins=gtins, pages=pages)
        print(f"generated the bundle in {time.perf_counter() - started:.1f} s")
    requests = len((bundle / "index.jsonl").read_text().splitlines())
    print(
        f"input: {bundle.name}: {gtins:,} GTINs on {pages} pages + a {max(1, gtins // 5):,}-record feed ({requests} responses)"
    )

    wall, rss, out = measure([sys.executable, "-c", PARSE_ONLY, str(bundle)])
    print(
        f"parse only (json.loads):         {wall:6.1f} s  {int(out.split()[0]) / wall:9,.0f} records/s  peak {rss:6.0f} MiB"
    )
    replay_crawl("tco", bundle, "< 30 s, < 1024 MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
