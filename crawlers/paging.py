"""Bounded paging: whether a paged listing (an API's pages, a shop's products.json) has a next
page worth asking for. A listing ends at its stated last page, at an empty page, at a page that
repeats the one before or adds no record not already seen (a server ignoring `?page=`), and at
LABELWATCH_MAX_PAGES, whatever a page claims (`totalPages: 1000000000`). Pages are asked for one
after another, so a stop takes effect at once."""

import hashlib
import json


class Pager:
    """The walk through one listing of one spider; `more()` after each page."""

    def __init__(self, spider, listing: str):
        self.spider = spider
        self.listing = listing
        self.max_pages = spider.settings.getint("LABELWATCH_MAX_PAGES")
        self.seen: set[bytes] = set()
        self.previous: tuple[bytes, ...] | None = None

    @staticmethod
    def _fingerprint(record) -> bytes:
        return hashlib.blake2b(json.dumps(record, sort_keys=True, default=str).encode(), digest_size=16).digest()

    def more(self, page: int, records: list, last_page: int | None = None) -> bool:
        """Whether to ask for page `page + 1`, having read `records` on page `page`."""
        prints = tuple(self._fingerprint(r) for r in records)
        new = set(prints) - self.seen
        self.seen.update(new)
        repeated = prints == self.previous or not new
        self.previous = prints
        if not records or (last_page is not None and page >= last_page):
            return False
        if repeated:
            self.spider.count("paging/repeated_page")
            self.spider.logger.warning(
                "%s: %s page %d repeats what earlier pages gave: paging stopped", self.spider.name, self.listing, page
            )
            return False
        if page >= self.max_pages:
            self.spider.logger.error(
                "%s: %s stopped at page %d (LABELWATCH_MAX_PAGES)%s",
                self.spider.name,
                self.listing,
                page,
                f"; it claims {last_page:,} pages" if last_page else "",
            )
            return False
        return True
