"""A crawl follows http(s) links to public hosts only, unless its source's settings name the host."""

import logging

import pytest
from scrapy.http import Request

from crawlers.destinations import DestinationMiddleware, RefusedDestination, is_public
from crawlers.sources.epeat.spider import EpeatSpider


@pytest.fixture
def middleware(make_spider):
    def make(settings=None, **kwargs):
        spider = make_spider(EpeatSpider, settings, **kwargs)
        return DestinationMiddleware(spider.crawler)

    return make


@pytest.mark.parametrize(
    "url, why",
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://ftp.epeat.net/export.xlsx", "scheme 'ftp'"),
        ("data:text/plain,hello", "scheme 'data'"),
        ("http://127.0.0.1:8080/admin", "host '127.0.0.1' is not a public address"),
        ("http://localhost/", "host 'localhost' is not a public address"),
        ("http://[::1]/", "host '::1' is not a public address"),
        ("http://10.1.2.3/", "is not a public address"),
        ("http://192.168.0.1/router", "is not a public address"),
        ("http://169.254.169.254/latest/meta-data/", "is not a public address"),  # cloud metadata
        ("http://0.0.0.0/", "is not a public address"),
    ],
)
def test_links_to_local_files_and_private_hosts_are_refused(middleware, url, why, caplog):
    guard = middleware()
    with caplog.at_level(logging.WARNING), pytest.raises(RefusedDestination, match="refused"):
        guard.process_request(Request(url))
    assert why in caplog.text
    assert guard.crawler.stats.get_value("labelwatch/destination/refused") == 1


def test_a_configured_host_and_the_imported_file_are_allowed(middleware, tmp_path):
    guard = middleware({"EPEAT_HOME_URL": "http://127.0.0.1:8766/"})
    assert guard.process_request(Request("http://127.0.0.1:8766/search-computers/export")) is None
    with pytest.raises(RefusedDestination):  # the same host on another port is another service
        guard.process_request(Request("http://127.0.0.1:8080/admin"))
    export = tmp_path / "export.xlsx"
    export.write_bytes(b"")
    importing = middleware(file=str(export))
    assert importing.process_request(Request(export.resolve().as_uri())) is None
    with pytest.raises(RefusedDestination):
        importing.process_request(Request((tmp_path / "other.xlsx").resolve().as_uri()))


def test_a_replay_checks_schemes_only(middleware):
    guard = middleware({"LABELWATCH_REPLAY_DIR": "crawlers/snapshots"})
    assert guard.process_request(Request("http://10.0.0.1/recorded")) is None  # answered from the recording
    with pytest.raises(RefusedDestination):
        guard.process_request(Request("file:///etc/passwd"))


def test_public_means_every_address_is_global():
    assert not is_public("127.0.0.1") and not is_public("::ffff:127.0.0.1") and not is_public("")
    assert is_public("8.8.8.8") and is_public("2001:4860:4860::8888")
