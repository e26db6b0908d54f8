"""The boundary: every record a spider yields is validated here, once, into the item model,
then written to the run's file. Records arrive in batches (crawlers.batching); each is
validated and written on its own."""

import logging
from functools import cached_property

from pydantic import BaseModel, ValidationError
from scrapy.exceptions import DropItem

from crawlers.batching import BATCH_KEY, is_batch
from crawlers.vocabulary import brand_placed, country_name
from store.db import db_path
from store.run_files import run_file_path

logger = logging.getLogger(__name__)
UNWRITABLE = "labelwatch/run_file_unwritable"  # stat: why the run file could not be written


class ValidationPipeline:
    """Turn each record dict into the spider's item model (crawlers.items); a bad record is
    dropped, naming source, record and field, and counted under items/invalid/<field>."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @cached_property
    def scope(self) -> list[tuple[str, str]]:
        """(code, name) of the countries the spider's source counts a record without a market in
        (Source.market_scope: EPREL's EU member states); none for other sources."""
        source = getattr(self.crawler.spider, "source", None)
        return [(code, country_name(code)) for code in getattr(source, "market_scope", ())]

    def in_scope(self, record: BaseModel) -> list[BaseModel]:
        """A validated record without a market as one copy per country of the scope, keyed
        `<record_key>/<code>`: validated once, not once per country."""
        if not self.scope or record.market is not None:  # a scope is declared by label registries only
            return [record]
        return [
            record.model_copy(update={"record_key": f"{record.record_key}/{code}", "market": name, "market_code": code})
            for code, name in self.scope
        ]

    def process_item(self, item):
        if not is_batch(item):
            return {BATCH_KEY: self.in_scope(self.validate(item))}
        valid = []
        for record in item[BATCH_KEY]:
            try:
                valid.extend(self.in_scope(self.validate(record)))
            except DropItem as dropped:
                logger.warning("%s", dropped)
        if not valid:
            raise DropItem(f"all {len(item[BATCH_KEY])} records of the batch rejected")
        return {BATCH_KEY: valid}

    def validate(self, item) -> BaseModel:
        try:
            record = self.crawler.spider.item_model.model_validate(item)
        except ValidationError as error:
            fields = []
            for problem in error.errors():
                field = ".".join(str(part) for part in problem["loc"]) or "record"
                fields.append(f"{field}: {problem['msg']} (got {problem.get('input')!r:.80})")
                self.stats.inc_value(f"items/invalid/{field.split('.')[0]}")
            self.stats.inc_value("items/invalid")
            raise DropItem(
                f"{item.get('source', '?')}: record {item.get('record_key', '?')!r} rejected: {'; '.join(fields)}"
            ) from None
        if record.brand and not brand_placed(record.brand):  # one stat per brand: the alias table's to-do list
            self.stats.inc_value(f"{record.source}/brand/unplaced/{record.brand_normalised}")
        return record


class RunFilePipeline:
    """Append each validated record to the run file (JSON lines) that the load reads.

    The file is opened on the first item: the run, and so its file (with its header line), is
    created when the spider opens (crawlers.run.CrawlRunExtension), after pipelines are set up.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.db = db_path(crawler.settings.get("LABELWATCH_DB"))
        self.out = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        records = item[BATCH_KEY]
        if self.crawler.stats.get_value(UNWRITABLE):
            raise DropItem("the run file cannot be written")
        try:
            if self.out is None:
                spider = self.crawler.spider
                self.out = run_file_path(self.db, spider.name, spider.run_id).open("a", encoding="utf-8")
            self.out.write("".join(record.model_dump_json() + "\n" for record in records))
        except OSError as error:  # disk full, say: the run is failed for that reason, not loaded half-written
            self._unwritable(error)
            raise DropItem("the run file cannot be written") from None
        self.crawler.stats.inc_value("labelwatch/records_written", len(records))
        return item

    def _unwritable(self, error: OSError) -> None:
        if not self.crawler.stats.get_value(UNWRITABLE):
            where = getattr(self.out, "name", "the run file")
            self.crawler.stats.set_value(UNWRITABLE, f"run file {where} could not be written: {error}")
            logger.error("%s", self.crawler.stats.get_value(UNWRITABLE))

    def close_spider(self):
        if self.out is not None:
            try:
                self.out.close()
            except OSError as error:
                self._unwritable(error)
