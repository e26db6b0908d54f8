"""RegistrySpider: what every source's spider shares. A source's spider lives in its folder
(crawlers/sources/<name>/spider.py) and is named after its declaration (SOURCE.name).

Standard arguments: `file=PATH` parses a file saved by hand from the registry instead of
crawling (`labelwatch import`), through the same parse routine and load path. Data-quality
problems become crawl stats under `<source>/...` (missing fields, unmapped categories, invalid
GTINs) and warnings naming the record, never a crash; a response that cannot be parsed at all
is an error, which fails the run.
"""

import json
import math
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import scrapy

from crawlers.archives import check_zip
from crawlers.gtin import to_gtin14
from crawlers.items import Certification
from crawlers.replay import SECRET
from crawlers.sources import Source, get_source
from crawlers.vocabulary import out_of_scope

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class RegistrySpider(scrapy.Spider):
    item_model = Certification  # what ValidationPipeline validates each record into

    @classmethod
    def update_settings(cls, settings):
        """The source's declared settings and monitor floors, at spider priority: the project's
        defaults yield to them, the spider's own custom_settings, the command line (`--set`) and a
        replay bundle override them."""
        settings.setdict(get_source(cls.name).spider_settings(), priority="spider")
        super().update_settings(settings)

    @cached_property
    def source(self) -> Source:
        return get_source(self.name)

    @property
    def record_kind(self) -> str:
        """The table the records are loaded into (store.load.KINDS)."""
        return self.source.record_kind

    def __init__(self, *args, file: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = Path(file).resolve() if file else None
        self._categories: dict[tuple, str | None] = {}  # category()'s answers by its arguments

    async def start(self):
        if self.file is not None:
            yield scrapy.Request(self.file.as_uri(), callback=self.parse_file, dont_filter=True)
        else:
            for request in self.start_live():
                yield request

    def start_live(self):
        raise NotImplementedError

    def parse_file(self, response):
        raise NotImplementedError

    # -- data-quality bookkeeping ---------------------------------------------------------
    def count(self, key: str, value: int = 1) -> None:
        self.crawler.stats.inc_value(f"{self.name}/{key}", value)

    def missing(self, field: str, ref: str) -> None:
        """A record lacks a field the counts need: counted, and named in a warning."""
        self.count(f"missing/{field}")
        self.logger.warning("%s: record %s has no %s", self.name, ref, field)

    def category(self, *tries: tuple[str, str | None]) -> str:
        """Canonical category from the first (table of the source's categories.toml, raw value)
        that maps; "other" when none does, counted under category/unmapped/<raw values>."""
        canonical = self._categories.get(tries)
        if canonical is None and tries not in self._categories:  # registries repeat a handful of values
            canonical = self._categories[tries] = next(
                (c for c in (self.source.category(table, raw) for table, raw in tries) if c), None
            )
        if canonical is not None:
            return canonical
        self.count(f"category/unmapped/{' / '.join(str(raw) for _, raw in tries)}")
        return "other"

    def out_of_scope(self, *tries: tuple[str, str | None]) -> bool:
        """Whether the first raw category value that says anything names a category labelwatch
        does not count (crawlers/data/categories.toml [out_of_scope]): counted under
        out_of_scope/<raw>, so the caller skips the record."""
        for _, raw in tries:
            if raw is None:
                continue
            if out_of_scope(raw):
                self.count(f"out_of_scope/{raw}")
                return True
        return False

    def level_rank(self, label: str, level: str | None, ref: str) -> int | None:
        """The rank of a record's level on its label's scale (the source's declaration); a level
        the scale does not know is counted under level/unknown/<level> and named."""
        scale = self.source.label(label).scale
        if level is None or scale is None:
            return None
        rank = scale.rank(level)
        if rank is None:
            self.count(f"level/unknown/{level}")
            self.logger.warning("%s: record %s: %s %r is not on the %s scale", self.name, ref, scale.name, level, label)
        return rank

    def gtins(self, values: list[Any], ref: str) -> list[str]:
        """Valid GTIN-14s of the values; each invalid one is counted and named."""
        valid = []
        for value in values:
            gtin = to_gtin14(value)
            if gtin is None:
                self.count("gtin/invalid")
                self.logger.warning("%s: record %s: %r is not a valid GTIN", self.name, ref, value)
            else:
                valid.append(gtin)
        return valid

    def number(self, value: Any, field: str, ref: str) -> float | None:
        """A number typed as a string ("8.2") or as a number; None for nothing; anything else
        (a boolean, text, NaN) counted under number/invalid/<field> and named."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            self.count(f"number/invalid/{field}")
            self.logger.warning("%s: %s: %s %r is not a number", self.name, ref, field, value)
            return None
        return number

    def check_archive(self, body: bytes, where: str) -> None:
        """Raise UnsafeArchive naming `where` unless the zip is within the project's limits
        (LABELWATCH_MAX_UNCOMPRESSED, LABELWATCH_MAX_RATIO): before anything unpacks it."""
        check_zip(
            body,
            where,
            self.settings.getint("LABELWATCH_MAX_UNCOMPRESSED"),
            self.settings.getfloat("LABELWATCH_MAX_RATIO"),
        )

    @staticmethod
    def iso_date(value: Any) -> Any:
        """The YYYY-MM-DD part of a date or timestamp string; anything else unchanged, for
        the item model to reject with the field's name."""
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            return value.strip()[:10]
        return value

    def load_json(self, response, what: str) -> Any | None:
        """The body as JSON, or None after an error naming the URL and the position. The body's
        first bytes are quoted, except from an answer to a credential exchange (it may be the token)."""
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as error:
            if response.meta.get(SECRET):
                reason = type(error).__name__
                starts = f"{len(response.body):,} bytes, not quoted: the answer to a credential exchange"
            else:
                reason = str(error)[:60]
                starts = f"body starts {response.body[:80].decode('utf-8', 'replace')!r}"
            self.logger.error("%s: %s at %s is not JSON (%s); %s", self.name, what, response.url, reason, starts)
            return None

    def request_failed(self, failure):
        """Errback: a request the run cannot do without failed (after retries)."""
        request = failure.request
        response = getattr(failure.value, "response", None)
        why = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.logger.error("%s: %s %s failed: %s", self.name, request.method, request.url, why)
