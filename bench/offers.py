"""Offers at scale: a replay crawl of 5,000 product pages on 10 shops' sitemaps.

Usage: python -m bench.offers [PAGES]   (default 5000; `make bench` runs it). The bundle is kept
in bench/.cache/. Prints requests/s, items/s, wall time and peak memory of the replay crawl +
load, the bare parse (extruct over every page, no Scrapy) as the baseline, and the load against
DuckDB's own read_json of the run file (bench.load).
"""

import sys
import time

from bench.generate import offers_bundle
from bench.load import replay_crawl
from bench.measure import CACHE, measure

PARSE_ONLY = """
import json, sys
from pathlib import Path
from crawlers.sources.offers.schemaorg import read_page
offers = 0
for line in (Path(sys.argv[1]) / "index.jsonl").read_text().splitlines():
    entry = json.loads(line)
    if entry["url"].endswith(".xml"):
        continue
    offers += len(read_page((Path(sys.argv[1]) / entry["body"]).read_text(), entry["url"]).offers)
print(offers)
"""


def main(pages: int) -> None:
    bundle = CACHE / f"offers-{pages}"
    if not (bundle / "index.jsonl").exists():
        started = time.perf_counter()
        offers_bundle(bundle, pages)
        print(f"generated the bundle in {time.perf_counter() - started:.1f} s")
    requests = len((bundle / "index.jsonl").read_text().splitlines())
    print(f"input: {bundle.name}: {pages:,} product pages on 10 shops' sitemaps ({requests} responses)")

    wall, rss, out = measure([sys.executable, "-c", PARSE_ONLY, str(bundle)])
    print(
        f"parse only (extruct + normalisation): {wall:6.1f} s  {int(out.split()[0]) / wall:9,.0f} offers/s  peak {rss:6.0f} MiB"
    )
    replay_crawl("offers", bundle, "< 1024 MiB", "offer")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)
