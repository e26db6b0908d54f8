"""The EPREL spider on registrations under EPREL's field names (real phone values, reconstructed
display records: tests/fixtures/eprel/PROVENANCE.md): paging on `size`, the last version, withdrawn
registrations, both date forms, battery cycles in hundreds, the EU market scope, personal data,
and exports saved by hand."""

import io
import json
import zipfile
from collections import Counter
from datetime import date

import pytest
from conftest import FIXTURES, SNAPSHOTS, json_response, response_from
from scrapy.http import Request

from crawlers.batching import BATCH_KEY
from crawlers.items import Certification
from crawlers.pipelines import ValidationPipeline
from crawlers.snapshots.make_bundle import eprel_displays, eprel_phones
from crawlers.sources.eprel.spider import EprelSpider
from crawlers.vocabulary import EU_MEMBER_STATES

PHONES = "smartphonestablets20231669"
HITS = eprel_phones(FIXTURES, date(2025, 7, 15))  # the 10 real phones, all published, last versions
DISPLAYS = eprel_displays(FIXTURES, date(2026, 8, 7))


@pytest.fixture
def spider(make_spider):
    return make_spider(EprelSpider, {"EPREL_PAGE_SIZE": 4})


def items_of(spider, results) -> list[Certification]:
    """The spider's records as the pipeline passes them on: validated, then one per member state."""
    records = [r for r in results if isinstance(r, dict)]
    return ValidationPipeline(spider.crawler).process_item({BATCH_KEY: records})[BATCH_KEY] if records else []


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


def in_belgium(items) -> list[Certification]:
    return [i for i in items if i.market_code == "BE"]


def registrations(spider, hits, group=PHONES) -> list[Certification]:
    return items_of(spider, spider.registrations(hits, group, "test"))


def test_pages_until_the_hits_collected_equal_size(spider):
    envelope = {"size": 6, "offset": 0, "hits": HITS[:4]}
    (follow,) = spider.parse_page(json_response(envelope), PHONES, 1, [])
    assert isinstance(follow, Request) and follow.url.endswith(f"/products/{PHONES}?_page=2&_limit=4")
    assert len(follow.cb_kwargs["hits"]) == 4  # nothing yielded before the list is whole
    items = items_of(
        spider, spider.parse_page(json_response({"size": 6, "offset": 4, "hits": HITS[4:6]}), PHONES, 2, HITS[:4])
    )
    assert len({i.certificate_id for i in items}) == 6
    assert stats(spider)[f"eprel/pages/{PHONES}"] == 2


def test_a_list_that_ends_before_size_fails_instead_of_loading_a_part(spider, caplog):
    assert not list(spider.parse_page(json_response({"size": 9, "offset": 4, "hits": []}), PHONES, 2, HITS[:4]))
    assert stats(spider)[f"eprel/paging/short/{PHONES}"] == 1
    assert "states 9 registrations, 4 were read" in caplog.text


def test_a_page_that_is_not_the_list_envelope_is_an_error(spider, caplog):
    assert not list(spider.parse_page(json_response({"hits": "none"}), PHONES, 1, []))
    assert "is not a list envelope" in caplog.text


def test_only_the_last_version_of_a_registration_counts(spider):
    hmd = next(h for h in HITS if h["supplierOrTrademark"] == "HMD")
    versions = [
        {**hmd, "versionNumber": 1, "lastVersion": False, "guaranteeDuration": 12},
        {**hmd, "versionNumber": 3, "lastVersion": True, "guaranteeDuration": 36},
        {**hmd, "versionNumber": 2, "lastVersion": True, "guaranteeDuration": 24},  # two marked last: the higher wins
    ]
    items = in_belgium(registrations(spider, versions))
    assert {i.measures["guarantee_months"] for i in items} == {36}
    assert len(items) == 2  # energy label and repairability class
    assert stats(spider)["eprel/version/earlier"] == 1


@pytest.mark.parametrize("status", ["WITHDRAWN", "withdrawn", "DELETED", "REMOVED"])
def test_withdrawn_registrations_are_not_available(spider, status):
    items = registrations(spider, [{**HITS[0], "status": status}, HITS[1]])
    assert {i.certificate_id for i in items} == {HITS[1]["eprelRegistrationNumber"]}
    assert stats(spider)[f"eprel/withdrawn/{status.upper()}"] == 1


def test_an_unknown_status_is_kept_but_not_counted_as_active(spider, caplog):
    (item, _) = in_belgium(registrations(spider, [{**HITS[0], "status": "UNDER_REVIEW"}]))
    assert item.status == "UNDER_REVIEW" and stats(spider)["eprel/status/UNDER_REVIEW"] == 1
    assert in_belgium(registrations(spider, [HITS[1]]))[0].status == "active"


@pytest.mark.parametrize(
    ("dates", "day"),
    [
        ({"onMarketStartDate": [2025, 6, 20]}, date(2025, 6, 20)),
        ({"onMarketStartDateTS": 1750370400000}, date(2025, 6, 20)),  # midnight in Brussels, in ms
        ({"onMarketStartDateTS": 1750370400}, date(2025, 6, 20)),  # the same in seconds
        ({"onMarketStartDate": "2025-06-20"}, date(2025, 6, 20)),
        ({"onMarketStartDate": [2025, 6, 20], "onMarketStartDateTS": 0}, date(2025, 6, 20)),  # the array first
    ],
)
def test_both_date_forms_are_read(spider, dates, day):
    hit = {k: v for k, v in HITS[0].items() if not k.startswith("onMarketStartDate")}
    (item, _) = in_belgium(registrations(spider, [{**hit, **dates}]))
    assert item.valid_from == day


def test_an_unreadable_date_is_counted_and_named(spider, caplog):
    hit = {k: v for k, v in HITS[0].items() if not k.startswith("onMarketStartDate")}
    (item, _) = in_belgium(registrations(spider, [{**hit, "onMarketStartDate": [2025, 13, 40]}]))
    assert item.valid_from is None
    assert stats(spider)["eprel/date/unreadable/onMarketStartDate"] == 1
    assert stats(spider)["eprel/missing/onMarketStartDate"] == 1
    assert "onMarketStartDate [2025, 13, 40] is not a day" in caplog.text


def test_an_on_market_end_date_bounds_availability(spider):
    doro = next(h for h in eprel_phones(FIXTURES, date(2026, 8, 7)) if h["supplierOrTrademark"] == "DORO")
    (item, _) = in_belgium(registrations(spider, [doro]))
    assert (item.valid_from, item.valid_until) == (date(2025, 5, 20), date(2026, 3, 31))


def test_phone_classes_measures_and_flags(spider):
    """HMD TA-1688 (real values): energy class A, repairability class A, 8 = 800 cycles, IP54."""
    hmd = next(h for h in HITS if h["supplierOrTrademark"] == "HMD")
    energy, repair = sorted(in_belgium(registrations(spider, [hmd])), key=lambda i: i.label)
    assert (energy.label, energy.level, energy.level_rank) == ("EU energy label", "A", 7)
    assert (repair.label, repair.level, repair.level_rank) == ("EU repairability class", "A", 5)
    assert energy.measures == {
        "battery_capacity_mah": 4500.0,
        "battery_cycles": 800.0,  # batteryEnduranceInCycles 8: hundreds
        "falls_without_defect": 270.0,
        "guarantee_months": 36.0,
        "ip_rating": 54.0,
        "repairability_index": 4.01,
        "software_update_years": 5.0,
    }
    assert energy.flags == ["USB-C charging", "User-replaceable battery"] and energy.unknown_flags == []
    assert (energy.category, energy.brand_normalised, energy.model) == ("smartphone", "HMD", "TA-1688")
    assert energy.url == "https://eprel.ec.europa.eu/qr/2238053"  # the label's QR link: the public page
    assert energy.certificate_id == energy.registry_id == "2238053"


def test_numbers_typed_as_text_read_and_bad_ones_counted(spider, caplog):
    oukitel = next(h for h in HITS if h["supplierOrTrademark"] == "OUKITEL")
    assert oukitel["batteryEnduranceInCycles"] == "12"  # the bundle types this record's numbers as text
    (item, _) = in_belgium(registrations(spider, [{**oukitel, "guaranteeDuration": "two years"}]))
    assert item.measures["battery_cycles"] == 1200.0 and "guarantee_months" not in item.measures
    assert stats(spider)["eprel/number/invalid/guaranteeDuration"] == 1
    assert "guaranteeDuration 'two years' is not a number" in caplog.text


def test_a_registration_counts_in_every_eu_member_state(spider):
    items = registrations(spider, [HITS[0]])
    assert Counter(i.label for i in items) == {"EU energy label": 27, "EU repairability class": 27}
    assert {i.market_code for i in items} == set(EU_MEMBER_STATES)
    assert {i.market for i in items if i.market_code in ("BE", "NL", "CZ")} == {"Belgium", "Netherlands", "Czechia"}
    assert len({i.record_key for i in items}) == 54


def test_the_suppliers_contact_details_are_never_kept(spider):
    dumped = "".join(i.model_dump_json() for i in registrations(spider, HITS))
    assert HITS[0]["contactDetails"]["email"] not in dumped and "Contact Person" not in dumped


def test_a_record_without_its_identity_is_counted_not_loaded(spider, caplog):
    items = registrations(spider, [{**HITS[0], "eprelRegistrationNumber": None}, {**HITS[1], "modelIdentifier": " "}])
    assert items == []
    assert stats(spider)["eprel/missing/eprelRegistrationNumber"] == 1
    assert stats(spider)["eprel/missing/modelIdentifier"] == 1


def test_a_missing_class_drops_that_label_only(spider):
    items = in_belgium(registrations(spider, [{**HITS[0], "repairabilityClass": None}]))
    assert [i.label for i in items] == ["EU energy label"]
    assert stats(spider)["eprel/missing/repairabilityClass"] == 1


def test_a_class_off_the_scale_is_counted(spider):
    (item, _) = in_belgium(registrations(spider, [{**HITS[0], "energyClass": "A+++"}]))
    assert item.level_rank is None and stats(spider)["eprel/level/unknown/A+++"] == 1


def test_displays_carry_the_sdr_class_and_measures(spider):
    dell = next(d for d in DISPLAYS if d["modelIdentifier"] == "U3425WE")
    (item,) = in_belgium(registrations(spider, [dell], "electronicdisplays"))
    assert (item.label, item.level, item.category) == ("EU energy label", "F", "display")
    assert item.category_raw == "ELECTRONIC_DISPLAY, rule monitor-model-number"
    assert item.measures == {
        "energy_1000h_hdr_kwh": 52.0,
        "energy_1000h_kwh": 40.0,
        "on_mode_power_hdr_w": 52.0,
        "on_mode_power_w": 39.5,
        "resolution_horizontal_px": 5120.0,
        "resolution_vertical_px": 2160.0,
        "screen_size_in": 34.1,
        "standby_power_w": 0.3,
    }
    cm = next(d for d in DISPLAYS if "diagonalCm" in d)  # 54.6 cm, no inches given
    assert in_belgium(registrations(spider, [cm], "electronicdisplays"))[0].measures["screen_size_in"] == 21.5


def export_zip(*entries: tuple[str, object]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in entries:
            bundle.writestr(name, json.dumps(content))
    return archive.getvalue()


def test_the_export_is_read_and_an_unreadable_one_falls_back_to_paging(spider):
    items = items_of(spider, spider.parse_export(response_from(export_zip(("d.json", DISPLAYS))), "electronicdisplays"))
    assert len({i.certificate_id for i in items}) == len(DISPLAYS)
    assert stats(spider)["eprel/export/read/electronicdisplays"] == 1
    (fallback,) = spider.parse_export(response_from(b"<html>login</html>"), PHONES)
    assert fallback.url.endswith(f"/products/{PHONES}?_page=1&_limit=4")
    assert stats(spider)[f"eprel/export/unreadable/{PHONES}"] == 1


@pytest.mark.parametrize(
    "saved",
    [
        export_zip(("phones.json", HITS[:5]), ("more/phones.json", {"size": 5, "hits": HITS[5:]})),
        json.dumps(HITS).encode(),
        json.dumps({"size": 10, "offset": 0, "hits": HITS}).encode(),
    ],
    ids=["zip", "json-array", "list-page"],
)
def test_an_export_saved_by_hand_is_imported(make_spider, tmp_path, saved):
    path = tmp_path / "saved"
    path.write_bytes(saved)
    spider = make_spider(EprelSpider, file=str(path))
    items = items_of(spider, spider.parse_file(response_from(saved, url=path.as_uri())))
    assert len({i.certificate_id for i in items}) == 10 and len(items) == 10 * 2 * 27


def test_a_file_of_other_registrations_says_so(make_spider, tmp_path, caplog):
    path = tmp_path / "lamps.json"
    path.write_text(json.dumps([{"productGroup": "lamps", "eprelRegistrationNumber": "1"}]))
    spider = make_spider(EprelSpider, file=str(path))
    assert not list(spider.parse_file(response_from(path.read_bytes(), url=path.as_uri())))
    assert stats(spider)["eprel/group/unknown/lamps"] == 1
    assert "holds no registration of smartphonestablets20231669, electronicdisplays" in caplog.text


def test_the_demo_recording_pages_phones_and_reads_the_display_export():
    index = [json.loads(line) for line in (SNAPSHOTS / "index.jsonl").read_text().splitlines()]
    eprel = [(e["status"], e["url"].split("/api/")[1]) for e in index if "eprel.ec.europa.eu" in e["url"]]
    assert eprel == [
        (404, f"exportProducts/{PHONES}"),
        (200, f"products/{PHONES}?_page=1&_limit=4"),
        (200, f"products/{PHONES}?_page=2&_limit=4"),
        (200, f"products/{PHONES}?_page=3&_limit=4"),
        (200, "exportProducts/electronicdisplays"),
    ]


def test_an_export_that_would_expand_too_far_is_not_unpacked(spider, caplog):
    bomb = export_zip(("d.json", " " * (8 * 1024 * 1024)))  # 8 MB of spaces, a few kB zipped
    (fallback,) = spider.parse_export(response_from(bomb), "electronicdisplays")
    assert fallback.url.endswith("/products/electronicdisplays?_page=1&_limit=4")
    assert "LABELWATCH_MAX_RATIO" in caplog.text


def test_a_saved_export_without_product_groups_is_placed_by_its_fields(make_spider, tmp_path):
    saved = [{k: v for k, v in r.items() if k != "productGroup"} for r in (*HITS[:2], *DISPLAYS[:3])]
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(saved))
    spider = make_spider(EprelSpider, file=str(path))
    items = in_belgium(items_of(spider, spider.parse_file(response_from(path.read_bytes(), url=path.as_uri()))))
    assert Counter(i.category_raw.split(",")[0] for i in items) == {"SMARTPHONE": 4, "ELECTRONIC_DISPLAY": 3}
    assert stats(spider)["eprel/group/inferred/electronicdisplays"] == 3


def test_a_saved_file_that_is_no_export_is_an_error(make_spider, tmp_path, caplog):
    path = tmp_path / "saved.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    spider = make_spider(EprelSpider, file=str(path))
    assert not list(spider.parse_file(response_from(path.read_bytes(), url=path.as_uri())))
    assert "not an EPREL export that can be read" in caplog.text and "not a readable ZIP of JSON" in caplog.text
