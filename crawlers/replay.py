"""Recorded crawls: answer requests from a recording (replay) or write one (record).

A recording is a directory with `index.jsonl`, one line per response:
`{"method", "url", "status", "headers", "body": "<path relative to the directory>"}` and, for a
request whose body must match too, `"request_body"`. Requests match on method and full URL
(query string included). Several lines for one request are served in order, the last repeating,
so a recording can hold a failure followed by its successful retry.

A recording is input, not configuration: its body paths must be regular files inside it (no
`..`, absolute paths or symlinks out), at most LABELWATCH_REPLAY_MAX_BODY bytes each, and its
`settings.json` may only carry the sources' own settings (recorded_settings).
"""

import asyncio
import hashlib
import json
import logging
from collections import defaultdict
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from store.load import RECORDED_ON

logger = logging.getLogger(__name__)

SECRET = "labelwatch_secret"  # request.meta flag: credentials in the body, token in the answer
OPTIONAL = "labelwatch_optional"  # request.meta flag: a recording may lack it (NotRecorded, no error)


class NotRecorded(IgnoreRequest):
    """An optional request (request.meta[OPTIONAL]) the recording does not hold."""


_UNRECORDED_HEADERS = {b"set-cookie", b"content-encoding", b"content-length", b"transfer-encoding"}
_EXTENSIONS = {"json": ".json", "html": ".html", "xml": ".xml", "spreadsheet": ".xlsx", "csv": ".csv", "text": ".txt"}


MAX_BODY = 256 * 1024 * 1024  # default LABELWATCH_REPLAY_MAX_BODY: DOWNLOAD_MAXSIZE's


class BadRecording(ValueError):
    """A recording that cannot be replayed safely: the message names the file, line and field."""


def recorded_settings(directory: str | Path) -> dict[str, Any]:
    """The settings a recording was made with (`settings.json`), checked against what a recording
    may carry: the settings the sources declare (registry URLs, page sizes, shop list). Anything
    else (a monitor threshold, FEEDS, the database, the middlewares) is refused naming the key."""
    from crawlers.sources import all_sources

    path = Path(directory) / "settings.json"
    if not path.is_file():
        return {}
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRecording(f"{path}: not JSON ({error})") from None
    if not isinstance(recorded, dict):
        raise BadRecording(f"{path}: expected a JSON object of settings")
    allowed = {key for source in all_sources().values() for key in source.settings}
    refused = sorted(set(recorded) - allowed)
    if refused:
        raise BadRecording(
            f"{path}: a recording may only carry the sources' settings ({', '.join(sorted(allowed))}); "
            f"refused: {', '.join(refused)}"
        )
    return recorded


class ReplayIndex:
    """The entries of one recording, looked up by method, URL and (optionally) body."""

    def __init__(self, directory: str | Path, max_body: int = MAX_BODY):
        self.directory = Path(directory)
        self.root = self.directory.resolve()
        self.max_body = max_body
        index = self.directory / "index.jsonl"
        if not index.is_file():
            raise FileNotFoundError(f"{index}: no replay index")
        self.entries: dict[tuple[str, str], list[dict]] = defaultdict(list)
        try:
            lines = index.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as error:
            raise BadRecording(f"{index}: not UTF-8 text ({error})") from None
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    entry = json.loads(line)
                    key = (entry["method"].upper(), entry["url"])
                    int(entry["status"])
                    entry["body"] = self._body_path(entry["body"])
                except (ValueError, KeyError, AttributeError, TypeError) as error:
                    raise BadRecording(f"{index}: line {number} is not a recorded response ({error})") from None
                self.entries[key].append(entry)
        self.served: dict[tuple[str, str, str | None], int] = defaultdict(int)

    def _body_path(self, body: str) -> Path:
        """A body path resolved inside the recording: a regular file, at most max_body bytes."""
        if not isinstance(body, str):
            raise ValueError("body: not a path")
        path = (self.root / body).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"body {body!r} is outside the recording")
        if not path.is_file():
            raise ValueError(f"body {body!r} is not a file in the recording")
        if path.stat().st_size > self.max_body:
            raise ValueError(f"body {body!r} is larger than {self.max_body:,} bytes (LABELWATCH_REPLAY_MAX_BODY)")
        return path

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


def _urls(value: Any):
    """The http(s) URLs in a setting's value (a string, or lists and tables of them)."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _urls(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _urls(item)


def recorded_sources(index: ReplayIndex, settings) -> list[str]:
    """The sources a recording answers for: those with a URL setting (the recording's, the
    command line's, else the source's default) on a host the recording holds answers from."""
    from crawlers.sources import all_sources

    hosts = {urlsplit(url).hostname for _, url in index.entries}
    return [
        name
        for name, source in all_sources().items()
        if any(
            urlsplit(url).hostname in hosts
            for key, default in source.settings.items()
            for url in _urls(settings.get(key, default))
        )
    ]


class ReplayMiddleware:
    """Downloader middleware that answers every request from a recording; nothing goes out.

    LABELWATCH_REPLAY_DELAY (seconds) holds each answer back, to replay a slow registry: the
    downloader's own DOWNLOAD_DELAY never applies, since the answer comes before it.
    """

    def __init__(self, directory: str, delay: float = 0.0, max_body: int = MAX_BODY, stats=None):
        self.index = ReplayIndex(directory, max_body)
        self.delay = delay
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("LABELWATCH_REPLAY_DIR")
        if not directory:
            raise NotConfigured
        return cls(
            directory,
            crawler.settings.getfloat("LABELWATCH_REPLAY_DELAY", 0.0),
            crawler.settings.getint("LABELWATCH_REPLAY_MAX_BODY", MAX_BODY),
            crawler.stats,
        )

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
        path = entry["body"]
        try:
            with path.open("rb") as body_file:  # the file may have grown since the index was read
                content = body_file.read(self.index.max_body + 1)
        except OSError as error:
            logger.error("replay: recorded body %s for %s unreadable: %s", path, request.url, error)
            raise IgnoreRequest(str(error)) from None
        if len(content) > self.index.max_body:
            logger.error("replay: recorded body %s for %s is larger than allowed", path, request.url)
            raise IgnoreRequest(f"recorded body too large: {path}")
        headers = Headers(entry.get("headers") or {})
        self._note_date(headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=content)
        return cls(
            url=request.url,
            status=int(entry["status"]),
            headers=headers,
            body=content,
            request=request,
            flags=["replayed"],
        )

    def _note_date(self, headers: Headers) -> None:
        """Keep the newest answer's `Date` (RFC 9110) as the day the replayed data describes; an
        answer without one, or with one unreadable, says nothing."""
        try:
            day = parsedate_to_datetime(headers.get(b"Date", b"").decode("latin-1")).date().isoformat()
        except (TypeError, ValueError):
            return
        if self.stats is not None and day > (self.stats.get_value(RECORDED_ON) or ""):
            self.stats.set_value(RECORDED_ON, day)


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
        named_by = b"" if secret else request.body  # a credential-bearing body is neither kept nor hashed
        digest = hashlib.sha1(f"{request.method} {request.url} {named_by!r}".encode()).hexdigest()[:16]
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
