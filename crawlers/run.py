"""The life of a crawl run: recorded at open, items written to the run file, loaded only if clean.

A run that did not close with reason `finished` (killed, shut down, its load failed) is
`failed`. A finished run must pass the monitors (store.monitors: errors, zero items, a record
count drop, required-field shares) or it is held back as `suspect`. Either way it is recorded
with its stats and reason, and the previous data of its source stays current.
"""

import ctypes
import logging
from pathlib import Path

from scrapy import signals

from crawlers.limits import WarningCap
from crawlers.pipelines import UNWRITABLE
from store.db import db_path
from store.load import HeldBack, fail_run, load_run, start_run
from store.monitors import Thresholds, crawl_reasons
from store.run_files import prune

logger = logging.getLogger(__name__)
# Loggers whose warnings a junk input can multiply, besides each spider's own: rejected records.
CAPPED_LOGGERS = ("crawlers.pipelines", "scrapy.core.scraper")


def _release_parse_memory() -> None:
    """Hand memory freed by the parse (an export's cells) back to the OS before the load, so
    the two do not add up; glibc keeps freed small blocks otherwise."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


class _ErrorCounter(logging.Handler):
    """Counts this crawl's ERROR lines (`labelwatch/errors`) and keeps the first for the run's
    message. Scrapy's own log_count/ERROR counts every crawler's errors in the process, so two
    sources crawled together would hold each other back; a line naming another spider is not ours."""

    def __init__(self, crawler):
        super().__init__(level=logging.ERROR)
        self.crawler = crawler

    def emit(self, record):
        spider = getattr(record, "spider", None)
        if spider is not None and spider is not self.crawler.spider:
            return
        stats = self.crawler.stats
        stats.inc_value("labelwatch/errors")
        if stats.get_value("labelwatch/first_error") is None:
            stats.set_value("labelwatch/first_error", record.getMessage()[:500])


class CrawlRunExtension:
    """Records the run when the spider opens; when it closes, loads the run file (written by
    crawlers.pipelines.RunFilePipeline), or records the run as suspect or failed."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db = db_path(crawler.settings.get("LABELWATCH_DB"))
        self.origin = crawler.settings.get("LABELWATCH_ORIGIN", "live")
        self.thresholds = Thresholds.from_settings(crawler.settings)
        self.run_id: int | None = None
        self.run_file: Path | None = None
        self.error_handler = _ErrorCounter(crawler)
        self.warning_cap = WarningCap(crawler.stats)
        self.capped = [logging.getLogger(name) for name in CAPPED_LOGGERS]
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        logging.getLogger().addHandler(self.error_handler)
        for capped in [*self.capped, logging.getLogger(spider.name)]:
            capped.addFilter(self.warning_cap)
        self.run_id, self.run_file = start_run(self.db, spider.name, self.origin, spider.record_kind)
        spider.run_id = self.run_id
        self.crawler.stats.set_value("labelwatch/run_id", self.run_id)
        logger.info("%s: run %d started, items go to %s", spider.name, self.run_id, self.run_file)

    def spider_closed(self, spider, reason):
        logging.getLogger().removeHandler(self.error_handler)
        for capped in [*self.capped, logging.getLogger(spider.name)]:
            capped.removeFilter(self.warning_cap)
        stats = self.crawler.stats.get_stats()
        counts = {
            "items": stats.get("labelwatch/records_written", 0),
            "invalid": stats.get("items/invalid", 0),
            "errors": stats.get("labelwatch/errors", 0),
        }
        if reason != "finished":
            first = stats.get("labelwatch/first_error")  # why the spider stopped, when it said so
            problem = f"spider closed with reason {reason!r}" + (f": {first}" if first else "")
            return self._failed(spider, reason, problem, stats, counts)
        if stats.get(UNWRITABLE):  # the real cause, rather than what a half-written file would load as
            return self._failed(spider, reason, stats[UNWRITABLE], stats, counts)
        _release_parse_memory()
        try:
            records = load_run(
                self.db,
                self.run_id,
                spider.name,
                self.run_file,
                stats,
                counts,
                checks=self.thresholds,
                held=crawl_reasons(stats, self.thresholds),
            )
        except HeldBack as held:
            self._outcome("suspect", str(held))
            then = f"`labelwatch accept {self.run_id}` loads it anyway" if counts["items"] else "nothing to accept"
            logger.error(
                "%s: run %d held back as suspect, previous data stays current: %s (%s)",
                spider.name,
                self.run_id,
                held,
                then,
                extra={"spider": spider},
            )
        except Exception as error:  # the load failed: the run is failed, nothing half-loaded
            self._failed(spider, reason, f"load failed: {error}", stats, counts)
        else:
            self._outcome("loaded", None)
            self.crawler.stats.set_value("labelwatch/records", records)
            logger.info("%s: run %d loaded, %d records", spider.name, self.run_id, records)
            pruned = prune(self.db, spider.name, self.crawler.settings.getint("LABELWATCH_KEEP_RUN_FILES"))
            if pruned:
                logger.info("%s: %d older run files deleted", spider.name, len(pruned))

    def _outcome(self, status: str, message: str | None) -> None:
        self.crawler.stats.set_value("labelwatch/status", status)
        self.crawler.stats.set_value("labelwatch/message", message)

    def _failed(self, spider, reason: str, problem: str, stats: dict, counts: dict) -> None:
        self._outcome("failed", problem)
        logger.error(
            "%s: run %d failed, previous data stays current: %s",
            spider.name,
            self.run_id,
            problem,
            extra={"spider": spider},
        )
        fail_run(self.db, self.run_id, reason, problem, stats, counts)
