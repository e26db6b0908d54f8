"""Recorded crawls: answer requests from a recording (replay) or write one (record).

A recording is a directory with `index.jsonl`, one line per response:
`{"method", "url", "status", "headers", "body": "<path relative to the directory>"}` and, for a
request whose body must match too, `"request_body"`. Requests match on method and full URL
(query string included). Several lines for one request are served in order, the last repeating,
so a recording can hold a failure followed by its successful retry.
"""

import asyncio
import hashlib
import json
import logging
from collections import defaultdict
from pathlib import Path

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

SECRET = "labelwatch_secret"  # request.meta flag: credentials in the body, token in the answer
OPTIONAL = "labelwatch_optional"  # request.meta flag: a recording may lack it (NotRecorded, no error)


class NotRecorded(IgnoreRequest):
    """An optional request (request.meta[OPTIONAL]) the recording does not hold."""


_UNRECORDED_HEADERS = {b"set-cookie", b"content-encoding", b"content-length", b"transfer-encoding"}
_EXTENSIONS = {"json": ".json", "html": ".html", "xml": ".xml", "spreadsheet": ".xlsx", "csv": ".csv", "text": ".txt"}


class ReplayIndex:
    """The entries of one recording, looked up by method, URL and (optionally) body."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        index = self.directory / "index.jsonl"
        if not index.is_file():
            raise FileNotFoundError(f"{index}: no replay index")
        self.entries: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for number, line in enumerate(index.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    entry = json.loads(line)
                    self.entries[(entry["method"].upper(), entry["url"])].append(entry)
                except (ValueError, KeyError, AttributeError) as error:
                    raise ValueError(f"{index}: line {number} is not a recorded response ({error})") from None
        self.served: dict[tuple[str, str, str | None], int] = defaultdict(int)

    def take(self, method: str, url: str, body: str) -> dict | None:
        candidates = [
            e
            for e in self.entries.get((method.upper(), url), [])
            if e.get("request_body") is None or e["request_body"] == body
        ]
        if not candidates:
            return None
        key = (method.upper(), url, body)
        entry = candidates[min(self.served[key], len(candidates) - 1)]
        self.served[key] += 1
        return entry


class ReplayMiddleware:
    """Downloader middleware that answers every request from a recording; nothing goes out.

    LABELWATCH_REPLAY_DELAY (seconds) holds each answer back, to replay a slow registry: the
    downloader's own DOWNLOAD_DELAY never applies, since the answer comes before it.
    """

    def __init__(self, directory: str, delay: float = 0.0):
        self.index = ReplayIndex(directory)
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("LABELWATCH_REPLAY_DIR")
        if not directory:
            raise NotConfigured
        return cls(directory, crawler.settings.getfloat("LABELWATCH_REPLAY_DELAY", 0.0))

    async def process_request(self, request):
        if self.delay:
            await asyncio.sleep(self.delay)
        body = request.body.decode("utf-8", "replace")
        entry = self.index.take(request.method, request.url, body)
        if entry is None and request.meta.get(OPTIONAL):
            logger.info("replay: optional %s %s not in the recording, skipped", request.method, request.url)
            raise NotRecorded(f"not in the recording: {request.method} {request.url}")
        if entry is None:
            logger.error(
                "replay: no recorded response for %s %s in %s",
                request.method,
                request.url,
                self.index.directory / "index.jsonl",
            )
            raise IgnoreRequest(f"not in the recording: {request.method} {request.url}")
        path = self.index.directory / entry["body"]
        try:
            content = path.read_bytes()
        except OSError as error:
            logger.error("replay: recorded body %s for %s unreadable: %s", path, request.url, error)
            raise IgnoreRequest(str(error)) from None
        headers = Headers(entry.get("headers") or {})
        cls = responsetypes.from_args(headers=headers, url=request.url, body=content)
        return cls(
            url=request.url,
            status=int(entry["status"]),
            headers=headers,
            body=content,
            request=request,
            flags=["replayed"],
        )


def _redact(body: bytes) -> bytes:
    """A credential exchange's answer with every token-like value replaced."""
    try:
        data = json.loads(body)
    except ValueError:
        return b"REDACTED"
    if isinstance(data, dict):
        data = {k: ("REDACTED" if "token" in k.lower() or "secret" in k.lower() else v) for k, v in data.items()}
    return json.dumps(data).encode()


class RecordMiddleware:
    """Downloader middleware that writes every (decompressed) response to a recording."""

    def __init__(self, directory: str):
        self.directory = Path(directory)
        (self.directory / "bodies").mkdir(parents=True, exist_ok=True)
        self.index = (self.directory / "index.jsonl").open("a", encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("LABELWATCH_RECORD_DIR")
        if not directory:
            raise NotConfigured
        return cls(directory)

    def process_response(self, request, response):
        secret = request.meta.get(SECRET, False)
        body = _redact(response.body) if secret else response.body
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        extension = next((ext for key, ext in _EXTENSIONS.items() if key in content_type), ".bin")
        digest = hashlib.sha1(f"{request.method} {request.url} {request.body!r}".encode()).hexdigest()[:16]
        relative = f"bodies/{digest}-{response.status}{extension}"
        (self.directory / relative).write_bytes(body)
        headers = {
            key.decode("latin-1"): [v.decode("latin-1") for v in values]
            for key, values in response.headers.items()
            if key.lower() not in _UNRECORDED_HEADERS
        }
        for url in [*request.meta.get("redirect_urls", []), request.url]:
            entry = {
                "method": request.method,
                "url": url,
                "status": response.status,
                "headers": headers,
                "body": relative,
            }
            if request.method != "GET" and request.body and not secret:
                entry["request_body"] = request.body.decode("utf-8", "replace")
            self.index.write(json.dumps(entry) + "\n")
        self.index.flush()
        return response
