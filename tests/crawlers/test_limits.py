"""A junk input cannot make a crawl write unbounded stats or logs."""

import json
import logging

from scrapy.utils.test import get_crawler

from crawlers.limits import MAX_KEYS_PER_REASON, MAX_WARNINGS_PER_KIND, BoundedStatsCollector, WarningCap


def test_distinct_values_per_reason_are_bounded_and_the_rest_counted():
    stats = BoundedStatsCollector(get_crawler())
    for n in range(100_000):
        stats.inc_value(f"epeat/market/unknown/Country {n}")
    stats.inc_value("epeat/market/unknown/Country 7")  # a value already counted keeps its own key
    stats.inc_value("epeat/rows", 5)
    kept = stats.get_stats()
    assert len(kept) == MAX_KEYS_PER_REASON + 2
    assert kept["epeat/market/unknown/Country 7"] == 2
    assert kept["epeat/market/unknown/(more)"] == 100_000 - MAX_KEYS_PER_REASON
    assert sum(v for k, v in kept.items() if k.startswith("epeat/market/unknown/")) == 100_001
    assert len(json.dumps(kept)) < 20_000


def test_warnings_of_one_kind_are_bounded_errors_never(caplog):
    stats = BoundedStatsCollector(get_crawler())
    logger = logging.getLogger("junk-source")
    cap = WarningCap(stats)
    logger.addFilter(cap)
    try:
        with caplog.at_level(logging.WARNING, logger="junk-source"):
            for n in range(10_000):
                logger.warning("junk: record %s has no %s", n, "Id")
            for n in range(MAX_WARNINGS_PER_KIND + 10):
                logger.error("junk: page %s failed", n)
    finally:
        logger.removeFilter(cap)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == MAX_WARNINGS_PER_KIND + 1
    assert "further warnings like this: counted in the run's stats, not logged" in warnings[-1].getMessage()
    assert stats.get_value("labelwatch/warnings_suppressed") == 10_000 - MAX_WARNINGS_PER_KIND
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) == MAX_WARNINGS_PER_KIND + 10
