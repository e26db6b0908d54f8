"""Where a crawl may go: http(s) only, and to public addresses only, unless the operator
configured the host. Links come from fetched pages, and a page may point at `file:///etc/passwd`
or an internal admin URL; a source's own settings (registry URLs, shop sitemaps) are trusted,
so a mirror on localhost still works when it is configured, and `labelwatch import FILE` reads
its one file."""

import ipaddress
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")


class RefusedDestination(IgnoreRequest):
    """A request to a scheme or address a crawl may not reach."""


@lru_cache(maxsize=1024)
def _addresses(host: str) -> tuple[str, ...]:
    try:
        return tuple({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return ()  # unresolvable: the download fails by itself


def is_public(host: str) -> bool:
    """Whether every address `host` resolves to is a public (global) one."""
    addresses = _addresses(host.strip("[]").lower())
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses)


def _urls(value) -> set[str]:
    """Every http(s) URL in a setting's value (strings, lists, tables of them)."""
    if isinstance(value, str):
        return {value} if value.startswith(("http://", "https://")) else set()
    if isinstance(value, dict):
        return set().union(*(_urls(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(_urls(v) for v in value))
    return set()


class DestinationMiddleware:
    """Downloader middleware (before replay and the network): refuses other schemes, and in a
    live crawl any host that resolves to a loopback, private, link-local or reserved address
    unless a setting of the spider's source names that host and port."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.replaying = bool(crawler.settings.get("LABELWATCH_REPLAY_DIR"))
        self._trusted: set[str] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def trusted(self) -> set[str]:
        if self._trusted is None:
            spider = self.crawler.spider
            source = getattr(spider, "source", None)
            keys = source.settings if source is not None else {}
            self._trusted = {
                urlsplit(url).netloc.lower() for key in keys for url in _urls(self.crawler.settings.get(key))
            }
        return self._trusted

    def process_request(self, request):
        url = urlsplit(request.url)
        spider = self.crawler.spider
        own_file = getattr(spider, "file", None)
        if url.scheme == "file" and own_file is not None and request.url == own_file.as_uri():
            return None
        if url.scheme not in SCHEMES:
            self._refuse(request, f"scheme {url.scheme!r} (only http and https are crawled)")
        if self.replaying or url.netloc.lower() in self.trusted():
            return None
        if not is_public(url.hostname or ""):
            self._refuse(request, f"host {url.hostname!r} is not a public address")
        return None

    def _refuse(self, request, why: str) -> None:
        self.crawler.stats.inc_value("labelwatch/destination/refused")
        logger.warning("refused %s: %s", request.url[:200], why, extra={"spider": self.crawler.spider})
        raise RefusedDestination(f"refused {request.url[:200]}: {why}")
