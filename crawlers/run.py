"""The life of a crawl run: recorded at open, items written to the run file, loaded only if clean.

A run becomes the current data of its source only when the spider closed with reason
`finished`, logged no error and produced at least one item. Anything else is recorded as
failed with its stats and reason, and the previous data stays current.
"""

import ctypes
import logging
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from store.db import db_path
from store.load import fail_run, load_run, start_run

logger = logging.getLogger(__name__)


def failure_reason(reason: str, stats: dict) -> str | None:
    """Why a closed run must not become current, or None when it may."""
    if reason != "finished":
        return f"spider closed with reason {reason!r}"
    errors = stats.get("log_count/ERROR", 0)
    if errors:
        return f"{errors} error(s) logged; first: {stats.get('labelwatch/first_error', '?')}"
    if not stats.get("labelwatch/records_written"):
        return "parsed zero items"
    return None


def _release_parse_memory() -> None:
    """Hand memory freed by the parse (an export's cells) back to the OS before the load, so
    the two do not add up; glibc keeps freed small blocks otherwise."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


class _FirstErrorHandler(logging.Handler):
    """Keeps the first ERROR line of the crawl for the run's failure message."""

    def __init__(self, stats):
        super().__init__(level=logging.ERROR)
        self.stats = stats

    def emit(self, record):
        if self.stats.get_value("labelwatch/first_error") is None:
            self.stats.set_value("labelwatch/first_error", record.getMessage()[:500])


class CrawlRunExtension:
    """Records the run when the spider opens; when it closes, loads the run file
    (written by crawlers.pipelines.RunFilePipeline) or records the run as failed."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db = db_path(crawler.settings.get("LABELWATCH_DB"))
        self.origin = crawler.settings.get("LABELWATCH_ORIGIN", "live")
        self.run_id: int | None = None
        self.run_file: Path | None = None
        self.error_handler = _FirstErrorHandler(crawler.stats)
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("LABELWATCH_NO_STORE"):
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider):
        logging.getLogger().addHandler(self.error_handler)
        self.run_id, self.run_file = start_run(self.db, spider.name, self.origin)
        self.run_file.parent.mkdir(parents=True, exist_ok=True)
        self.run_file.touch()
        spider.run_id = self.run_id
        self.crawler.stats.set_value("labelwatch/run_id", self.run_id)
        logger.info("%s: run %d started, items go to %s", spider.name, self.run_id, self.run_file)

    def spider_closed(self, spider, reason):
        logging.getLogger().removeHandler(self.error_handler)
        stats = self.crawler.stats.get_stats()
        counts = {
            "items": stats.get("labelwatch/records_written", 0),
            "invalid": stats.get("items/invalid", 0),
            "errors": stats.get("log_count/ERROR", 0),
        }
        problem = failure_reason(reason, stats)
        if problem is None:
            _release_parse_memory()
            try:
                records = load_run(self.db, self.run_id, spider.name, self.run_file, stats, counts)
            except Exception as error:  # the load failed: the run is failed, nothing half-loaded
                problem = f"load failed: {error}"
            else:
                self.crawler.stats.set_value("labelwatch/status", "loaded")
                self.crawler.stats.set_value("labelwatch/records", records)
                logger.info("%s: run %d loaded, %d records", spider.name, self.run_id, records)
                return
        self.crawler.stats.set_value("labelwatch/status", "failed")
        self.crawler.stats.set_value("labelwatch/message", problem)
        logger.error("%s: run %d failed, previous data stays current: %s", spider.name, self.run_id, problem)
        fail_run(self.db, self.run_id, reason, problem, stats, counts)
