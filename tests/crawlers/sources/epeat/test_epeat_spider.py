"""The EPEAT spider on the real export sample, a constructed multi-country export and broken files."""

import csv
from collections import Counter
from datetime import date

import pytest
from conftest import FIXTURES, RECORDINGS, SNAPSHOTS, response_from
from epeat_exports import HEADER, multi_country_rows, row, to_xlsx
from scrapy.http import Request

from crawlers.items import Certification
from crawlers.sources.epeat.spider import EpeatSpider

SAMPLE_CSV = FIXTURES / "epeat" / "epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv"
EXPORT_URL = "https://www.epeat.net/search-computers-and-displays/export?format=xlsx"


def items_of(results):
    return [Certification.model_validate(r) for r in results if isinstance(r, dict)]


@pytest.fixture
def spider(make_spider):
    return make_spider(EpeatSpider)


def xlsx_response(body: bytes, url=EXPORT_URL):
    return response_from(
        body, url, headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    )


def assert_real_sample_counts(items):
    assert len(items) == 644
    assert Counter(i.category_raw for i in items) == {
        "Computers & Displays / Notebook": 521,
        "Computers & Displays / Desktop": 123,
    }
    assert Counter(i.category for i in items) == {"notebook": 521, "desktop": 123}
    assert Counter(i.level for i in items) == {"Gold": 464, "Silver": 166, "Bronze": 14}
    assert sum("Climate+" in i.flags for i in items) == 330
    assert Counter(i.brand for i in items) == {"HP": 304, "DELL": 184, "ASUSTeK Computer Inc.": 128, "Lenovo": 28}
    assert Counter(i.brand_normalised for i in items)["ASUS"] == 128
    assert {(i.market, i.market_code, i.status, i.archived_on, i.valid_until) for i in items} == {
        ("India", "IN", "Active", None, None)
    }
    assert min(i.registered_on for i in items) == date(2019, 1, 24) and max(i.registered_on for i in items) == date(
        2024, 7, 8
    )
    assert sum(1 for i in items if i.exceptions is None) == 153  # "*" means none
    assert (
        Counter(i.exceptions for i in items)[
            "Configurations that are not ENERGY STAR qualified do not meet required criterion 4.5.1.1."
        ]
        == 256
    )


def test_real_export_through_the_xlsx_path(spider):
    body = (RECORDINGS[0] / "bodies" / "epeat" / "computers-and-displays.xlsx").read_bytes()  # the real export
    items = items_of(
        spider.parse_export(xlsx_response(body), page_url="https://www.epeat.net/search-computers-and-displays")
    )
    assert_real_sample_counts(items)
    asus = next(i for i in items if i.registry_id == "47c1ba33196f4c5bb6243718af64977a")
    assert asus.model == "ASUS D700MDES (series: D700MD_CZ)"  # double space folded
    assert (asus.level, asus.level_rank, asus.score_points, asus.score_max, asus.flags) == ("Silver", 2, 26, 48, [])
    assert asus.registered_on == date(2023, 8, 13) and asus.valid_from == date(2023, 8, 13)
    assert "00195553690843" in asus.gtins and asus.record_key == "47c1ba33196f4c5bb6243718af64977a/IN"
    assert asus.url == "https://www.epeat.net/search-computers-and-displays"
    stats = spider.crawler.stats.get_stats()
    assert stats["epeat/rows"] == 644
    assert stats["epeat/identifier_column/ignored/Zebra SKU"] == 1
    assert stats["epeat/gtin/invalid"] == 1  # the real export holds UPC 197105000000, whose check digit is wrong


def test_real_export_csv_matches_an_independent_count(make_spider):
    spider = make_spider(EpeatSpider, file=str(SAMPLE_CSV))
    items = items_of(spider.parse_file(response_from(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.as_uri())))
    assert_real_sample_counts(items)
    with SAMPLE_CSV.open(newline="") as f:
        raw = list(csv.DictReader(f))
    expected_gtins = {
        r["Id"]: len(
            [
                v
                for c in ("Universal Product Code", "European Article Number", "Global Trade Item Number")
                for v in r[c].split(",")
                if v.strip() not in ("", "*")
            ]
        )
        for r in raw
    }
    expected_gtins["cb87e30b95094dc1891c935a65f0900b"] -= 1  # its UPC 197105000000 fails the check digit
    assert {i.registry_id: len(i.gtins) for i in items} == expected_gtins
    assert sum(len(i.part_numbers) for i in items) == sum(
        len([v for v in r["Manufacturer Part Number"].split(",") if v.strip() not in ("", "*")]) for r in raw
    )


def test_multi_country_rows(spider):
    items = items_of(spider.parse_export(xlsx_response(to_xlsx(multi_country_rows()))))
    assert len(items) == 8  # every row kept, archived and inactive ones too
    a = [i for i in items if i.registry_id == "a" * 32]
    assert sorted(i.market_code for i in a) == ["BE", "DE", "FR", "NL"]
    archived = next(i for i in a if i.market == "Netherlands")
    assert archived.archived_on == date(2023, 6, 30) == archived.valid_until
    assert a[0].gtins == ["00195553690843", "00195553731348", "04250851617896"]
    assert a[0].part_numbers == ["499W5UT", "499W6UT"] and a[0].model == "ZenBook 14 (series: UX3402)"
    d = next(i for i in items if i.registry_id == "d" * 32)
    assert d.registered_on == date(2024, 7, 8) and d.category == "desktop"  # an Excel date cell
    assert d.gtins == []  # 195553690844 has a wrong check digit
    e = next(i for i in items if i.registry_id == "e" * 32)
    assert e.category == "other"
    stats = spider.crawler.stats.get_stats()
    assert stats["epeat/category/unmapped/Wearable / Wearables"] == 1
    assert stats["epeat/gtin/invalid"] == 1
    assert stats["epeat/identifier_column/ignored/07SYS10-FQ1G-00"] == 1


def test_rows_missing_required_values_are_counted(spider, caplog):
    rows = [
        row("f" * 32, "No tier", "Belgium", tier="*"),
        row("*", "No id", "Belgium"),
        row("g" * 32, "Nowhere", "*"),
        row("h" * 32, "Odd score", "Atlantis", score="lots"),
    ]
    items = items_of(spider.parse_export(xlsx_response(to_xlsx(rows))))
    assert [i.model for i in items] == ["No tier", "Odd score"]
    assert items[0].level is None and items[1].market_code is None and items[1].score_points is None
    stats = spider.crawler.stats.get_stats()
    assert stats["epeat/missing/EPEAT Tier"] == 1 and stats["epeat/missing/Id"] == 1
    assert stats["epeat/missing/Registered In"] == 1 and stats["epeat/market/unknown/Atlantis"] == 1
    assert stats["epeat/total_score/unparsed"] == 1
    assert "row 3 (Id None) has no Id" in caplog.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            to_xlsx([row("a" * 32, "X", "Belgium")], header=[h if h != "EPEAT Tier" else "Tier" for h in HEADER]),
            "required column 'EPEAT Tier' missing",
        ),
        (
            b"<!DOCTYPE html><html><body>Service unavailable</body></html>",
            "is not an .xlsx or .csv export (Content-Type text/html",
        ),
        (to_xlsx(multi_country_rows())[:3000], "could not be read to the end"),
        (to_xlsx([], header=[]), "is empty: no header row"),
    ],
)
def test_a_changed_or_broken_export_is_an_error_naming_the_file(spider, caplog, body, message):
    response = response_from(
        body,
        EXPORT_URL,
        headers={"Content-Type": "text/html" if body.startswith(b"<!") else "application/octet-stream"},
    )
    items_of(spider.parse_export(response))
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors and message in errors[0].getMessage() and EXPORT_URL in errors[0].getMessage()


def test_discovery_follows_tabs_then_export_links(spider):
    home = response_from((SNAPSHOTS / "bodies/epeat/home.html").read_bytes(), "https://www.epeat.net/", html=True)
    [category] = [r for r in spider.parse_home(home) if isinstance(r, Request)]
    assert category.url == "https://www.epeat.net/search-computers-and-displays"
    page = response_from(
        (SNAPSHOTS / "bodies/epeat/search-computers-and-displays.html").read_bytes(), category.url, html=True
    )
    [export] = list(spider.parse_category(page))
    assert export.url == EXPORT_URL and export.cb_kwargs == {"page_url": category.url}


def test_discovery_that_finds_nothing_fails_loudly(spider, caplog):
    assert (
        list(
            spider.parse_home(
                response_from("<html><body>new design</body></html>", "https://www.epeat.net/", html=True)
            )
        )
        == []
    )
    assert "no category tabs (#search-tabs a)" in caplog.text
    spider.pending_category_pages = 1
    assert (
        list(
            spider.parse_category(
                response_from("<html><body>no export</body></html>", "https://www.epeat.net/search-x", html=True)
            )
        )
        == []
    )
    assert "no category page had an export link" in caplog.text


def test_export_urls_setting_skips_discovery(make_spider):
    spider = make_spider(
        EpeatSpider, settings={"EPEAT_EXPORT_URLS": ["https://mirror.test/a.xlsx", "https://mirror.test/b.xlsx"]}
    )
    assert [r.url for r in spider.start_live()] == ["https://mirror.test/a.xlsx", "https://mirror.test/b.xlsx"]
