"""RegistrySpider: what every registry spider shares.

Standard arguments: `file=PATH` parses a file saved by hand from the registry instead of
crawling (`labelwatch import`), through the same parse routine and load path. Data-quality
problems become crawl stats under `<source>/...` (missing fields, unmapped categories, invalid
GTINs) and warnings naming the record, never a crash; a response that cannot be parsed at all
is an error, which fails the run.
"""

import json
import re
from pathlib import Path
from typing import Any

import scrapy

from crawlers.gtin import to_gtin14
from crawlers.vocabulary import canonical_category

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class RegistrySpider(scrapy.Spider):
    label: str  # the label this registry certifies, as buyers name it

    def __init__(self, *args, file: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = Path(file).resolve() if file else None

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
        """Canonical category from the first (categories.toml table, raw value) that maps;
        "other" when none does, counted under category/unmapped/<raw values>."""
        for table, raw in tries:
            canonical = canonical_category(table, raw)
            if canonical is not None:
                return canonical
        self.count(f"category/unmapped/{' / '.join(str(raw) for _, raw in tries)}")
        return "other"

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

    @staticmethod
    def iso_date(value: Any) -> Any:
        """The YYYY-MM-DD part of a date or timestamp string; anything else unchanged, for
        the item model to reject with the field's name."""
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            return value.strip()[:10]
        return value

    def load_json(self, response, what: str) -> Any | None:
        """The body as JSON, or None after an error naming the URL and the position."""
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as error:
            snippet = response.body[:80].decode("utf-8", "replace")
            self.logger.error("%s: %s at %s is not JSON (%s); body starts %r", self.name, what, response.url, error, snippet)
            return None

    def request_failed(self, failure):
        """Errback: a request the run cannot do without failed (after retries)."""
        request = failure.request
        response = getattr(failure.value, "response", None)
        why = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.logger.error("%s: %s %s failed: %s", self.name, request.method, request.url, why)

