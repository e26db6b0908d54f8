"""The boundary: every item a spider yields is validated here, once, into the item model."""

import logging

from pydantic import ValidationError
from scrapy.exceptions import DropItem

from crawlers.items import Certification

logger = logging.getLogger(__name__)


class ValidationPipeline:
    """Turn a spider's dict into a Certification, or drop it naming source, record and field."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        try:
            return Certification.model_validate(item)
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
