"""Bounds on what a junk input can make a crawl write: distinct stat keys per reason (a million
unknown market names would make a 90 MB stats JSON) and log lines per kind of warning (a
million-row junk file would write gigabytes of "record … has no …")."""

import logging

from scrapy.statscollectors import MemoryStatsCollector

MAX_KEYS_PER_REASON = 200  # distinct `<source>/<reason>/<value>` keys; further values go to `<reason>/(more)`
MAX_WARNINGS_PER_KIND = 500  # log lines of one warning template; further ones are counted, not logged


class BoundedStatsCollector(MemoryStatsCollector):
    """Scrapy's stats, with at most MAX_KEYS_PER_REASON values under each reason (a key of three
    or more parts: its last part is the value, the rest the reason)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._values: dict[str, int] = {}

    def _bounded(self, key: str) -> str:
        if key in self._stats or key.count("/") < 2:
            return key
        reason = key.rsplit("/", 1)[0]
        seen = self._values.get(reason, 0)
        if seen >= MAX_KEYS_PER_REASON:
            return f"{reason}/(more)"
        self._values[reason] = seen + 1
        return key

    def inc_value(self, key, count=1, start=0, spider=None):
        super().inc_value(self._bounded(key), count, start)

    def set_value(self, key, value, spider=None):
        super().set_value(self._bounded(key), value)

    def max_value(self, key, value, spider=None):
        super().max_value(self._bounded(key), value)

    def min_value(self, key, value, spider=None):
        super().min_value(self._bounded(key), value)


class WarningCap(logging.Filter):
    """Lets through at most MAX_WARNINGS_PER_KIND records below ERROR per message template; says
    once that further ones are only counted (`labelwatch/warnings_suppressed`). Errors all pass:
    the monitors count them."""

    def __init__(self, stats):
        super().__init__()
        self.stats = stats
        self.seen: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        template = str(record.msg)[:200]
        seen = self.seen[template] = self.seen.get(template, 0) + 1
        if seen <= MAX_WARNINGS_PER_KIND:
            return True
        self.stats.inc_value("labelwatch/warnings_suppressed")
        if seen == MAX_WARNINGS_PER_KIND + 1:
            record.msg = f"{record.msg} (and further warnings like this: counted in the run's stats, not logged)"
            return True
        return False
