"""The TCO spider on the real samples: what the data really says, and the defensive paths."""

import json
from collections import Counter

import pytest
from conftest import FIXTURES, SNAPSHOTS, json_response, response_from
from scrapy.http import Request

from crawlers.items import Certification
from crawlers.replay import SECRET
from crawlers.sources.tco.spider import TcoSpider

FEED_URL = "https://industry.tcocertified.com/product-finder-app/items-get.php"
COMPACTED = json.loads((FIXTURES / "tco" / "product-finder-app_items-get_compacted_2026-08-07.json").read_text())[
    "records"
]
PRODUCTS = json.loads((FIXTURES / "tco" / "gtin-api_generic-gtin_displays_products.json").read_text())


def items_of(results):
    return [Certification.model_validate(r) for r in results if isinstance(r, dict)]


def requests_of(results):
    return [r for r in results if isinstance(r, Request)]


@pytest.fixture
def spider(make_spider):
    return make_spider(TcoSpider, api="off")


def test_feed_items_agree_with_the_real_capture(spider):
    body = (SNAPSHOTS / "bodies" / "tco" / "items-get.json").read_bytes()
    items = items_of(spider.parse_feed(response_from(body, FEED_URL)))
    assert len(items) == 895 == len(COMPACTED)
    assert len({i.record_key for i in items}) == 894  # DE126040130 "CB272U PBbmiprx" is listed twice
    assert len({i.certificate_id for i in items}) == 340
    assert Counter(i.brand for i in items) == Counter(r["brand"] for r in COMPACTED)
    assert Counter(i.brand for i in items)["Acer"] == 292
    assert Counter((i.category, i.level) for i in items) == {
        ("display", "10"): 477,
        ("display", "9"): 309,
        ("display", "8"): 86,
        ("all_in_one", "10"): 10,
        ("all_in_one", "9"): 13,
    }
    first = items[0]
    assert (first.brand, first.model, first.certificate_id) == ("Acer", "CB272 D6", "DE126080179")
    assert (str(first.valid_from), str(first.valid_until)) == ("2026-08-05", "2027-08-20")
    assert first.url == "https://industry.tcocertified.com/product-finder/?product=DE126080179CB272D6"
    assert first.label == "TCO Certified" and first.market is None and first.gtins == []
    stats = spider.crawler.stats.get_stats()
    assert stats["tco/feed/records"] == 895
    assert stats["tco/feed/category/Displays"] == 872 and stats["tco/feed/category/All-in-OnePCs"] == 23
    assert stats["tco/feed/cert_prefix/DE"] + stats["tco/feed/cert_prefix/AE"] == 895
    assert "tco/missing/brand" not in stats


def test_gtin_api_items_one_per_certificate_and_name(spider):
    page = {"data": {"products": PRODUCTS}, "meta": {"page": 1, "totalPages": 1}}
    items = items_of(spider.parse_api_page(json_response(page), product_type="Displays", page=1))
    assert len({i.certificate_id for i in items}) == 18
    assert len(items) == 291 == len({i.model_key for i in items})
    assert sum(len(gtins) for gtins in {i.certificate_id: tuple(i.gtins) for i in items}.values()) == 250
    assert {(i.label, i.level, i.category, i.status) for i in items} == {("TCO Certified", "10", "display", "ACTIVE")}
    assert all(i.brand is None for i in items)  # the API has no brand; nothing guessed
    samsung = [i for i in items if i.certificate_id == "D1024110023"]
    assert len(samsung) == 15 and samsung[0].url == "https://tcocertified.com/product-finder/?cert=D1024110023"
    eizo = next(i for i in items if i.model == "FlexScan EV3450XC")
    assert "04995047067368" in eizo.gtins and str(eizo.valid_until) == "2026-05-14"
    assert spider.crawler.stats.get_value("tco/api/records") == 250


def test_api_brand_comes_from_the_feed_for_the_same_certificate(make_spider):
    spider = make_spider(TcoSpider, api="off")
    feed = [
        {
            "brand": "Samsung",
            "name": "S27D700EAE",
            "cert_no": "D1024110023",
            "cert_date": "2024-12-04",
            "cert_expiry_date": "2027-04-23",
            "generation": "10",
            "category": "Displays",
            "idkey": "x",
            "search": "1",
        }
    ]
    list(spider.parse_feed(json_response(feed, FEED_URL)))
    page = {"data": {"products": PRODUCTS}, "meta": {"page": 1, "totalPages": 1}}
    items = items_of(spider.parse_api_page(json_response(page), product_type="Displays", page=1))
    brands = {i.certificate_id: i.brand for i in items}
    assert brands["D1024110023"] == "Samsung"
    assert sum(b is None for b in brands.values()) == 17


def walk_pages(spider, pages: list[list], claimed: int) -> list[str]:
    """The page URLs the spider asks for, answering page N with pages[N - 1]."""
    asked, page = [], 1
    while page <= len(pages):
        answer = {"data": {"products": pages[page - 1]}, "meta": {"page": page, "totalPages": claimed}}
        requests = requests_of(spider.parse_api_page(json_response(answer), product_type="Displays", page=page))
        assert len(requests) <= 1  # one page after another
        if not requests:
            break
        assert requests[0].method == "POST" and requests[0].headers["X-Auth-Token"] == b"Bearer secret-token"
        asked.append(requests[0].url)
        page += 1
    return asked


def test_api_pages_after_the_first_are_requested_one_after_another(make_spider):
    spider = make_spider(TcoSpider, api="on")
    spider.token = "secret-token"
    pages = [PRODUCTS[n : n + 10] for n in (0, 10, 20, 30, 40)]
    assert walk_pages(spider, pages, claimed=4) == [
        f"https://api.tcocertified.com/generic/gtin?page={n}&product_type=Displays" for n in (2, 3, 4)
    ]


def test_paging_stops_at_the_page_limit_and_at_a_repeated_page(make_spider, caplog):
    """A page claiming a billion pages is read up to LABELWATCH_MAX_PAGES (an error: the run is
    held back, records may be missing); a server repeating a page ends the listing (a warning)."""
    spider = make_spider(TcoSpider, {"LABELWATCH_MAX_PAGES": 3}, api="on")
    spider.token = "secret-token"
    distinct = [[{**PRODUCTS[0], "gtin": f"0000000000{n:04d}"}] for n in range(10)]
    assert len(walk_pages(spider, distinct, claimed=1_000_000_000)) == 2
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["tco: GTIN API Displays stopped at page 3 (LABELWATCH_MAX_PAGES); it claims 1,000,000,000 pages"]
    caplog.clear()
    spider = make_spider(TcoSpider, api="on")
    spider.token = "secret-token"
    assert len(walk_pages(spider, [PRODUCTS[:10]] * 10, claimed=50)) == 1  # page 2 repeats page 1
    assert spider.crawler.stats.get_value("tco/paging/repeated_page") == 1
    assert "GTIN API Displays page 2 repeats what earlier pages gave" in caplog.text


def test_feed_is_followed_by_the_token_request_when_the_api_is_on(make_spider, monkeypatch):
    monkeypatch.setenv("TCO_API_USER", "buyer")
    monkeypatch.setenv("TCO_API_PASSWORD", "pw")
    spider = make_spider(TcoSpider)
    requests = requests_of(spider.parse_feed(json_response([], FEED_URL)))
    assert [(r.method, r.url) for r in requests] == [("POST", "https://api.tcocertified.com/token")]
    assert json.loads(requests[0].body) == {"username": "buyer", "password": "pw"}


def test_base_urls_are_settings(make_spider):
    spider = make_spider(TcoSpider, settings={"TCO_FEED_URL": "http://mirror.test/feed.json"}, api="off")
    assert [r.url for r in spider.start_live()] == ["http://mirror.test/feed.json"]


def test_defensive_feed_parsing(spider, caplog):
    feed = [
        {
            "brand": "Acer",
            "name": "Good 1",
            "cert_no": "DE126080179",
            "cert_date": "2026-08-05",
            "cert_expiry_date": "2027-08-20T23:59:59Z",
            "generation": "10",
            "category": "Displays",
            "idkey": "DE126080179Good1",
            "search": "1",
            "a_new_field": {"nested": True},
        },
        {"brand": "", "name": "No brand", "cert_no": "AE1", "cert_expiry_date": "2027-01-01", "category": "Displays"},
        {"brand": "Acer", "name": "No cert", "cert_expiry_date": "2027-01-01"},
        {"brand": "Acer", "cert_no": "AE2", "cert_expiry_date": "2027-01-01"},
        {"brand": "Acer", "name": "No expiry", "cert_no": "AE3"},
        {"brand": "Acer", "name": "Hidden", "cert_no": "AE4", "cert_expiry_date": "2027-01-01", "search": "0"},
        {"brand": "Acer", "name": "Watch", "cert_no": "AE5", "cert_expiry_date": "2027-01-01", "category": "Wearables"},
        {
            "brand": "Acer",
            "name": "Edge one",
            "cert_no": "AE6",
            "cert_expiry_date": "2027-01-01",
            "category": "Displays",
            "edge": "1",
        },
        "not an object",
    ]
    items = items_of(spider.parse_feed(json_response(feed, FEED_URL)))
    assert [i.model for i in items] == ["Good 1", "No brand", "Watch", "Edge one"]
    assert str(items[0].valid_until) == "2027-08-20"
    assert items[1].brand is None
    assert items[2].category == "other" and items[2].category_raw == "Wearables"
    assert items[3].label == "TCO Certified Edge"
    stats = spider.crawler.stats.get_stats()
    assert stats["tco/missing/brand"] == 1
    assert stats["tco/missing/cert_no"] == 1
    assert stats["tco/missing/name"] == 1
    assert stats["tco/missing/cert_expiry_date"] == 1
    assert stats["tco/feed/skipped_search"] == 1
    assert stats["tco/category/unmapped/Wearables"] == 1
    assert stats["tco/feed/not_an_object"] == 1
    assert "feed record 3 (AE2" not in caplog.text and "feed record 4 (AE2) has no name" in caplog.text


def test_feed_that_is_not_json_logs_an_error_naming_the_url(spider, caplog):
    results = list(spider.parse_feed(response_from("<html><h1>503 Service Unavailable</h1></html>", FEED_URL)))
    assert results == []
    assert f"Product Finder feed at {FEED_URL} is not JSON" in caplog.text
    assert any(r.levelname == "ERROR" for r in caplog.records)


def test_feed_that_is_an_object_not_an_array_is_an_error(spider, caplog):
    assert list(spider.parse_feed(json_response({"error": "maintenance"}, FEED_URL))) == []
    assert "is a dict, not a JSON array" in caplog.text


def test_api_page_without_products_is_an_error(spider, caplog):
    assert list(spider.parse_api_page(json_response({"data": {}}), product_type="Displays", page=2)) == []
    assert "page 2 of Displays" in caplog.text and "has no data.products list" in caplog.text


def test_invalid_gtin_is_counted_and_left_out(spider):
    products = json.loads(json.dumps(PRODUCTS[:2]))
    products[1]["gtin"] = "08806095545470"  # check digit broken
    items = items_of(spider.api_items(products, "Displays", "test page"))
    assert {tuple(i.gtins) for i in items} == {("08806095545479",)}
    assert spider.crawler.stats.get_value("tco/gtin/invalid") == 1


@pytest.mark.parametrize(
    ("fixture", "expected_items"),
    [
        ("gtin-api_generic-gtin_displays_products.json", 291),
        ("product-finder-app_items-get_compacted_2026-08-07.json", None),
    ],
)
def test_parse_file_sniffs_the_saved_format(make_spider, fixture, expected_items, caplog):
    path = FIXTURES / "tco" / fixture
    spider = make_spider(TcoSpider, file=str(path))
    items = items_of(spider.parse_file(response_from(path.read_bytes(), path.as_uri())))
    if expected_items is None:  # the third party's compacted shape is not a registry format
        assert items == [] and "neither a Product Finder feed" in caplog.text
    else:
        assert len(items) == expected_items


FEED_RECORDS = json.loads((SNAPSHOTS / "bodies" / "tco" / "items-get.json").read_text())


def as_live_client_maps_it(record: dict, **changes) -> dict:
    """A real feed record under the keys one public client of the live feed maps (no
    `generation`: `latest_version`, `edge`, `cert_no`, `cert_expiry_date`)."""
    mapped = {k: v for k, v in record.items() if k != "generation"}
    return {**mapped, **changes}


@pytest.mark.parametrize(
    "changes, level, read_from",
    [
        ({"latest_version": "10"}, "10", "latest_version"),
        ({"latest_version": "TCO Certified, generation 9"}, "9", "latest_version"),
        ({"standard": "TCO Certified, generation 10, for displays"}, "10", "standard"),
        ({"cert_no": "DE126080179"}, "10", "certificate_number"),  # DE1 + 8 digits: generation 10
        ({"cert_no": "DE18113001"}, None, "none"),  # DE + 8 digits: generation 8 or 9, not said
    ],
)
def test_the_feed_level_is_read_from_whichever_key_the_record_carries(make_spider, changes, level, read_from):
    spider = make_spider(TcoSpider, api="off")
    record = as_live_client_maps_it(FEED_RECORDS[0], **changes)
    [item] = items_of(spider.feed_items([record], "feed"))
    assert (item.level, item.level_rank) == (level, int(level) if level else None)
    assert spider.crawler.stats.get_value(f"tco/feed/level_from/{read_from}") == 1


def test_a_feed_whose_records_carry_no_level_is_held_back(tmp_path):
    """Every real record without a level key and with a certificate number that says none: the
    run is suspect, never loaded as level-less counts."""
    from conftest import run_cli

    records = [as_live_client_maps_it(r, cert_no=f"XX{n:08d}") for n, r in enumerate(FEED_RECORDS)]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(records))
    db = tmp_path / "lw.duckdb"
    result = run_cli("import", "tco", feed, "--db", db)
    assert result.returncode == 1
    assert (
        "HELD BACK as suspect" in result.stderr and "only 0% of records have a level (threshold 50%)" in result.stderr
    )


def test_a_recording_without_the_api_replays_the_feed_alone(tmp_path):
    """The demo bundle's feed answer only: the token request is optional on replay, so the
    run loads the feed, counts the missing API and logs no error."""
    from conftest import run_cli

    bundle = tmp_path / "feed-only"
    (bundle / "bodies").mkdir(parents=True)
    [feed_line] = [line for line in (SNAPSHOTS / "index.jsonl").read_text().splitlines() if "items-get" in line]
    (bundle / "index.jsonl").write_text(feed_line + "\n")
    (bundle / "bodies" / "tco").mkdir()
    (bundle / "bodies" / "tco" / "items-get.json").write_bytes(
        (SNAPSHOTS / "bodies" / "tco" / "items-get.json").read_bytes()
    )
    db = tmp_path / "lw.duckdb"
    run_cli("crawl", "tco", "--replay", bundle, "--db", db, check=True)
    [run] = json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)
    assert (run["status"], run["errors"]) == ("loaded", 0)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        stats = json.loads(con.execute("SELECT stats FROM crawl_run").fetchone()[0])
    assert stats["tco/api/not_recorded"] == 1 and "tco/api/records" not in stats


def test_a_token_answered_as_plain_text_is_never_quoted(make_spider, caplog):
    spider = make_spider(TcoSpider, api="on")
    answer = response_from(
        "eyJhbGciOiJIUzI1NiJ9.secret-token",
        "https://api.tcocertified.com/token",
        headers={"Content-Type": "text/plain"},
        method="POST",
        meta={SECRET: True},
    )
    assert list(spider.parse_token(answer)) == []
    assert (
        "GTIN API token answer at https://api.tcocertified.com/token is not JSON (JSONDecodeError); 33 bytes"
        in caplog.text
    )
    assert "secret-token" not in caplog.text and "eyJ" not in caplog.text
