"""Back off before Scrapy's RetryMiddleware retries: honour Retry-After, else wait exponentially.

Sits just before RetryMiddleware in the response and exception chains, so a 429/503 with a
`Retry-After` waits that long (capped by LABELWATCH_RETRY_AFTER_MAX) and any other retryable
failure waits LABELWATCH_RETRY_BACKOFF × 2^(retries so far) before the retry is scheduled.
"""

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, (parsedate_to_datetime(text) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class BackoffMiddleware:
    def __init__(self, settings):
        self.codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES", [])}
        self.exceptions = tuple(
            load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.retries = settings.getint("RETRY_TIMES")
        self.base = settings.getfloat("LABELWATCH_RETRY_BACKOFF", 1.0)
        self.cap = settings.getfloat("LABELWATCH_RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler.settings)

    def _backoff(self, request) -> float:
        return self.base * 2 ** request.meta.get("retry_times", 0)

    def _will_retry(self, request) -> bool:
        return not request.meta.get("dont_retry") and request.meta.get("retry_times", 0) < request.meta.get(
            "max_retry_times", self.retries
        )

    async def process_response(self, request, response):
        if response.status in self.codes and self._will_retry(request):
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            wait = min(asked, self.cap) if asked is not None else self._backoff(request)
            logger.info(
                "%s answered %d: waiting %.1f s before retrying%s",
                request.url,
                response.status,
                wait,
                " (Retry-After)" if asked is not None else "",
            )
            await asyncio.sleep(wait)
        return response

    async def process_exception(self, request, exception):
        if isinstance(exception, self.exceptions) and self._will_retry(request):
            await asyncio.sleep(self._backoff(request))
