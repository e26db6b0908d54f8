"""Scrapy settings for labelwatch. Each source's own settings (registry URLs, page sizes) are
declared in its folder (crawlers/sources/<name>/__init__.py) and applied by its spider, so a
mirror can stand in with `--set`."""

from crawlers.sources import all_sources

BOT_NAME = "labelwatch"
SPIDER_MODULES = [source.spider_module for source in all_sources().values()]

USER_AGENT = "labelwatch/0.1 (+https://github.com/labelwatch/labelwatch; market-availability research for public ICT procurement)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 90
DOWNLOAD_MAXSIZE = 256 * 1024 * 1024  # a registry answer larger than this is refused
LABELWATCH_RETRY_BACKOFF = 1.0  # seconds before the first retry, doubling each time
LABELWATCH_RETRY_AFTER_MAX = 300.0  # longest Retry-After honoured
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port on a crawl machine
LOG_LEVEL = "INFO"
STATS_CLASS = "crawlers.limits.BoundedStatsCollector"  # distinct stat keys per reason bounded

DOWNLOADER_MIDDLEWARES = {
    "crawlers.destinations.DestinationMiddleware": 40,  # http(s) to public hosts only, before anything goes out
    "crawlers.replay.ReplayMiddleware": 50,
    "crawlers.replay.RecordMiddleware": 580,
    "crawlers.politeness.BackoffMiddleware": 560,  # just before RetryMiddleware (550)
}
SPIDER_MIDDLEWARES = {
    "crawlers.batching.BatchingMiddleware": 950,  # first to see a callback's output
}
ITEM_PIPELINES = {
    "crawlers.pipelines.ValidationPipeline": 100,
    "crawlers.pipelines.RunFilePipeline": 900,
}
EXTENSIONS = {
    "crawlers.run.CrawlRunExtension": 10,
}

# labelwatch settings
LABELWATCH_DB = None  # None: $LABELWATCH_DB or data/labelwatch.duckdb
LABELWATCH_REPLAY_DIR = None  # answer every request from this recording, never the network
LABELWATCH_REPLAY_MAX_BODY = DOWNLOAD_MAXSIZE  # largest recorded body a replay reads
LABELWATCH_MAX_PAGES = 2000  # pages of one paged listing (crawlers.paging); a source may set its own
LABELWATCH_MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # a zip (.xlsx) may expand to this many bytes in all
LABELWATCH_MAX_RATIO = 200  # and no entry (over 1 MiB) more than this many times its compressed size
LABELWATCH_RECORD_DIR = None  # write every response to this recording
LABELWATCH_ORIGIN = "live"
LABELWATCH_KEEP_RUN_FILES = 3  # run files kept per source after a load (the newest); older ones are deleted
# Monitors (store/monitors.py): a finished run failing one is held back as suspect.
LABELWATCH_MONITOR_MAX_DROP = 0.30  # largest record-count fall against the last good run
LABELWATCH_MONITOR_MIN_SHARE = {"brand": 0.5, "category": 0.9, "validity": 0.9, "level": 0.5}  # records with it
LABELWATCH_MONITOR_MAX_ERRORS = 0
LABELWATCH_BATCH_SIZE = 500  # records per item travelling through Scrapy (crawlers.batching)
CONCURRENT_ITEMS = 4  # batches in the (synchronous) pipelines at once: bounds the records held in memory
