"""Fault injection: a live crawl against the local registry mirror, one fault at a time.

Every case runs on a database already holding a good TCO run, and asserts the named outcome
and that the good data stays current ("data lost: none"). The README's fault table is this.
"""

import json
import shutil

import pytest
from conftest import run_cli
from registry_mirror import PASSWORD, USER, start_mirror

FEED = "/product-finder-app/items-get.php"
PAGE = "/generic/gtin"
CREDENTIALS = {"TCO_API_USER": USER, "TCO_API_PASSWORD": PASSWORD}


@pytest.fixture
def good_db(demo_db, tmp_path):
    db = tmp_path / "lw.duckdb"
    shutil.copy(demo_db, db)
    return db


def crawl(db, faults=None, robots=None, *settings):
    base, seen, server = start_mirror(faults, robots)
    try:
        result = run_cli(
            "crawl",
            "tco",
            "--db",
            db,
            "-v",
            "--set",
            f"TCO_FEED_URL={base}{FEED}",
            "--set",
            f"TCO_API_URL={base}",
            "--set",
            "TCO_PRODUCT_TYPES=Displays",
            "--set",
            "DOWNLOAD_DELAY=0",
            "--set",
            "AUTOTHROTTLE_ENABLED=False",
            "--set",
            "LABELWATCH_RETRY_BACKOFF=0.2",
            *settings,
            env=CREDENTIALS,
            timeout=180,
        )
    finally:
        server.shutdown()
    return result, seen


def report(db):
    return run_cli(
        "report",
        "availability",
        "-f",
        "json",
        "--valid-on",
        "2026-08-07",
        "--label",
        "TCO Certified",
        "--db",
        db,
        check=True,
    ).stdout


def last_run(db):
    return json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)[0]


def hits(seen, path):
    return [t for _, p, _, t in seen if p.split("?")[0] == path]


def test_503_then_success_is_retried_and_loaded(good_db):
    result, seen = crawl(good_db, {FEED: [{"status": 503}, {"status": 503}]})
    assert result.returncode == 0, result.stderr
    assert len(hits(seen, FEED)) == 3 and last_run(good_db)["status"] == "loaded"
    feed = hits(seen, FEED)
    assert feed[2] - feed[1] >= 0.35  # backoff doubles: 0.2 s, then 0.4 s


def test_429_with_retry_after_is_honoured(good_db):
    result, seen = crawl(good_db, {PAGE: [{"status": 429, "headers": {"Retry-After": "2"}}]})
    assert result.returncode == 0, result.stderr
    pages = hits(seen, PAGE)
    assert pages[1] - pages[0] >= 1.9
    assert "waiting 2.0 s before retrying (Retry-After)" in result.stderr


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ({FEED: [{"status": 500}] * 4}, "Gave up retrying"),
        ({FEED: [{"reset": True}] * 4}, "failed"),
        ({FEED: [{"body": b'[{"brand": "Acer", "name": "CB2'}]}, "is not JSON"),
        ({FEED: [{"body": b"<html><body>Maintenance</body></html>", "content_type": "text/html"}]}, "is not JSON"),
        ({FEED: [{"body": b"[]"}]}, "record count fell"),
        (
            {FEED: [{"body": json.dumps([{"brand": "Acer", "title": "renamed", "cert_no": "X"}]).encode()}]},
            "record count fell",
        ),
        ({FEED: [{"body": b'[{"brand": "Ac\\xff\\xfer"}]'}]}, "is not JSON"),
        ({PAGE: [{"status": 500}] * 4}, "Gave up retrying"),
    ],
)
def test_a_broken_answer_is_held_back_and_nothing_is_lost(good_db, fault, outcome):
    before = report(good_db)
    result, _ = crawl(good_db, fault)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "HELD BACK as suspect, previous data stays current" in result.stderr
    assert outcome in last_run(good_db)["message"]
    assert report(good_db) == before


def test_a_timeout_is_retried_then_held_back(good_db):
    before = report(good_db)
    result, seen = crawl(
        good_db, {FEED: [{"sleep": 3}] * 4}, None, "--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=1"
    )
    assert result.returncode == 1
    assert len(hits(seen, FEED)) == 2 and "took longer than 1.0 seconds" in last_run(good_db)["message"]
    assert report(good_db) == before


def test_an_oversized_answer_is_refused(good_db):
    before = report(good_db)
    result, _ = crawl(good_db, None, None, "--set", "DOWNLOAD_MAXSIZE=100000")
    assert result.returncode == 1 and "HELD BACK" in result.stderr
    assert "items-get.php" in last_run(good_db)["message"]
    assert report(good_db) == before


def test_robots_txt_disallowing_the_feed_is_obeyed(good_db):
    before = report(good_db)
    result, seen = crawl(good_db, None, b"User-agent: *\nDisallow: /product-finder-app/\n")
    assert not hits(seen, FEED)  # never asked
    assert result.returncode == 1 and "record count fell" in last_run(good_db)["message"]
    assert report(good_db) == before
