"""The ENERGY STAR spider on the real API rows: catalogue, paging, string numbers, omitted
fields, markets, measures, flags, and a file saved from the portal."""

import csv
import io
import json
from collections import Counter

import pytest
from conftest import FIXTURES, json_response, response_from
from scrapy.http import Request

from crawlers.items import Certification
from crawlers.sources.energystar.spider import EnergyStarSpider

API = "https://data.energystar.gov"
COMPUTERS = json.loads((FIXTURES / "energystar" / "computers_rxdj-2c88_sample.json").read_text())
SAMSUNG = json.loads((FIXTURES / "energystar" / "computers_rxdj-2c88_samsung_rows.json").read_text())
DISPLAYS = json.loads((FIXTURES / "energystar" / "displays_qbg3-d468_sample.json").read_text())
KNOWN = {"computers": {"title": "ENERGY STAR Certified Computers", "id": "rxdj-2c88", "version": "9.0"}}


def items_of(results):
    return [Certification.model_validate(r) for r in results if isinstance(r, dict)]


def requests_of(results):
    return [r for r in results if isinstance(r, Request)]


def catalogue(*datasets: tuple[str, str]) -> dict:
    return {"dataset": [{"title": t, "identifier": f"{API}/api/views/{i}"} for t, i in datasets]}


@pytest.fixture
def spider(make_spider):
    return make_spider(EnergyStarSpider, {"ENERGYSTAR_PAGE_SIZE": 8})


def page(spider, rows, kind="computers", offset=0, dataset=None):
    dataset = dataset or {**KNOWN["computers"], "id": "rxdj-2c88"}
    if kind == "displays":
        dataset = {"title": "ENERGY STAR Certified Displays", "id": "qbg3-d468", "version": "8.0"}
    return list(spider.parse_page(json_response(rows), kind, dataset, offset, 8))


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


def test_the_catalogue_gives_each_dataset_its_current_id_and_version(spider):
    listed = catalogue(
        ("ENERGY STAR Certified Computers V9.0", "rxdj-2c88"), ("ENERGY STAR Certified Displays", "qbg3-d468")
    )
    requests = requests_of(spider.parse_catalog(json_response(listed)))
    assert [r.url for r in requests] == [
        f"{API}/resource/rxdj-2c88.json?$limit=8&$offset=0&$order=:id",
        f"{API}/resource/qbg3-d468.json?$limit=8&$offset=0&$order=:id",
    ]
    assert [r.cb_kwargs["dataset"]["version"] for r in requests] == ["9.0", "8.0"]  # displays: the known version
    assert not any(k.startswith(("energystar/dataset_id_changed", "energystar/catalog")) for k in stats(spider))


def test_a_changed_dataset_id_is_used_and_counted(spider):
    listed = catalogue(
        ("ENERGY STAR Certified Computers V9.0", "rxdj-2c88"),
        ("ENERGY STAR Certified Computers V10.0", "ab12-cd34"),  # a newer specification
        ("ENERGY STAR Certified Displays", "qbg3-d468"),
    )
    first = requests_of(spider.parse_catalog(json_response(listed)))[0]
    assert first.url.startswith(f"{API}/resource/ab12-cd34.json?")
    assert first.cb_kwargs["dataset"]["version"] == "10.0"
    assert stats(spider)["energystar/dataset_id_changed/computers"] == 1
    items = items_of(page(spider, COMPUTERS[:1], dataset=first.cb_kwargs["dataset"]))
    assert items[0].level == "10.0" and items[0].level_rank is None  # not on the declared scale yet: counted
    assert stats(spider)["energystar/level/unknown/10.0"] == 1  # once per row, not per market


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"dataset": "none"}', b"[]"])
def test_an_unreadable_catalogue_falls_back_to_the_known_ids(spider, body):
    requests = requests_of(spider.parse_catalog(response_from(body, f"{API}/data.json")))
    assert [r.cb_kwargs["dataset"]["id"] for r in requests] == ["rxdj-2c88", "qbg3-d468"]
    assert stats(spider)["energystar/catalog/unreadable"] == 1


def test_computers_rows_become_one_record_per_market_with_their_measures(spider):
    items = items_of(page(spider, COMPUTERS))
    assert len(items) == 15  # three models, five markets each
    assert Counter(i.market_code for i in items) == {"US": 3, "JP": 3, "CA": 3, "TW": 3, "CH": 3}
    assert Counter(i.category for i in items if i.market_code == "US") == {"all_in_one": 1, "notebook": 2}
    lenovo = next(i for i in items if i.model == "Lenovo V15 G7 Q7X" and i.market_code == "CA")
    assert (lenovo.record_key, lenovo.certificate_id, lenovo.label, lenovo.level) == (
        "4703914/CA",
        "4703914",
        "ENERGY STAR",
        "9.0",
    )
    assert str(lenovo.valid_from) == "2026-08-13" and lenovo.valid_until is None  # no end date
    assert lenovo.measures["annual_energy_kwh"] == 8.2 and lenovo.measures["annual_energy_limit_kwh"] == 17.4
    assert lenovo.measures["below_limit_percent"] == 52.9  # (17.4 - 8.2) / 17.4
    assert lenovo.measures["sleep_power_w"] == 0.5 and lenovo.measures["screen_size_in"] == 15.3
    assert lenovo.flags == [] and lenovo.unknown_flags == [
        "Most Efficient"
    ]  # workstation "No"; no Most Efficient column
    elo = next(i for i in items if i.brand == "ELO" and i.market_code == "US")
    assert elo.category == "all_in_one" and elo.measures["below_limit_percent"] == 9.1  # 34.0 against 37.4
    assert elo.unknown_flags == ["Most Efficient", "Workstation"]  # the field is omitted: unknown, not "No"
    assert elo.gtins == ["00843173164823"] and elo.part_numbers == ["ESY15I1-2UWE-0-8G-6E-A14-GMS-BK-NFC"]
    assert elo.url == f"{API}/d/rxdj-2c88"


def test_omitted_fields_are_counted_and_upc_lists_split(spider):
    items = items_of(page(spider, SAMSUNG[:8]))
    assert {i.model for i in items} >= {"NP740VJK", "SM-X940"}  # no model_name: the model number
    assert Counter(i.category for i in items if i.market_code == "US") == {"notebook": 7, "tablet": 1}
    first = next(i for i in items if i.model == "NP740VJK")
    assert len(first.gtins) == 3 and first.measures == {}  # "198957421945;198957421952;198957421969"
    assert stats(spider)["energystar/missing/tec_of_model_kwh"] == 8


def test_numbers_typed_as_numbers_read_alike_and_a_non_number_is_never_zero(spider):
    row = {
        **COMPUTERS[1],
        "tec_of_model_kwh": 8.2,
        "maximum_tec_requirements_etec_max_kwh": "17.4",
        "off_mode_watts": "n/a",
    }
    items = items_of(page(spider, [row]))
    assert items[0].measures["below_limit_percent"] == 52.9
    assert "off_power_w" not in items[0].measures
    assert stats(spider)["energystar/number/invalid/off_mode_watts"] == 1


def test_displays_signage_energy_zero_is_not_measured(spider):
    items = items_of(page(spider, DISPLAYS, kind="displays"))
    assert {(i.category, i.level) for i in items} == {("display", "8.0")}
    ezba75 = next(i for i in items if i.model == "ACER ALTOS EZBA75")
    assert ezba75.measures == {
        "annual_energy_limit_kwh": 529.96,
        "off_power_w": 0.0,
        "on_mode_power_limit_w": 163.1,
        "on_mode_power_w": 147.35,
        "screen_size_in": 75.0,
        "sleep_power_w": 0.47,
    }  # monitor_total_energy "0.00": not measured, so no "% below the limit" either
    assert ezba75.flags == [] and ezba75.unknown_flags == []  # Most Efficient "No"
    assert stats(spider)["energystar/measure/zero_not_measured/monitor_total_energy"] == 2


def test_paging_goes_on_after_a_full_page_and_stops_at_a_short_one(spider):
    rows = COMPUTERS + SAMSUNG  # 20 rows: 8, 8, 4
    full = page(spider, rows[:8])
    (following,) = requests_of(full)
    assert following.url == f"{API}/resource/rxdj-2c88.json?$limit=8&$offset=8&$order=:id"
    assert requests_of(page(spider, rows[8:16], offset=8))[0].cb_kwargs["offset"] == 16
    assert requests_of(page(spider, rows[16:], offset=16)) == []
    assert stats(spider)["energystar/pages/computers"] == 3


def test_an_empty_first_page_or_a_page_that_is_not_rows_is_an_error(spider, caplog):
    assert page(spider, []) == []
    assert page(spider, {"error": True, "message": "query.compiler.malformed"}) == []
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert "has no rows" in errors[0] and "is not a list of rows" in errors[1]


def test_a_row_without_pd_id_or_model_is_skipped_and_counted(spider):
    rows = [{"brand_name": "Lenovo", "type": "Notebook"}, {"pd_id": "1", "type": "Notebook", "markets": "Canada"}]
    assert items_of(page(spider, rows)) == []
    assert stats(spider)["energystar/missing/pd_id"] == 1 and stats(spider)["energystar/missing/model_name"] == 1


def test_a_csv_saved_from_the_portal_reads_through_the_column_labels(make_spider, tmp_path):
    saved = tmp_path / "ENERGY_STAR_Certified_Displays.csv"
    labels = {
        "pd_id": "ENERGY STAR Unique ID",
        "brand_name": "Brand Name",
        "model_name": "Model Name",
        "display_type": "Product Type",
        "on_mode_power_watts": "On Mode Power (watts)",
        "screen_size_inches": "Screen Size (inches)",
        "monitor_total_energy": "Monitor Total Energy Consumption at 115 Volts (kWh/yr)",
        "date_certified": "Date Certified",
        "markets": "Markets",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(labels.values())
    for row in DISPLAYS:
        writer.writerow([row.get(field, "") for field in labels])
    saved.write_text(out.getvalue())
    spider = make_spider(EnergyStarSpider, file=str(saved))
    items = items_of(spider.parse_file(response_from(saved.read_bytes(), saved.as_uri())))
    assert len(items) == 15 and {i.level for i in items} == {"8.0"} and {i.url for i in items} == {None}
    assert sorted({i.measures["on_mode_power_w"] for i in items}) == [131.04, 147.35, 183.65]


def test_most_efficient_and_workstation_yes_become_flags(spider):
    display = {**DISPLAYS[0], "meets_most_efficient_criteria": "Yes"}
    computer = {**COMPUTERS[1], "product_marketed_as_a_workstation": "Yes"}
    (shown,) = {tuple(i.flags) for i in items_of(page(spider, [display], kind="displays"))}
    (marketed,) = {tuple(i.flags) for i in items_of(page(spider, [computer]))}
    assert shown == ("Most Efficient",) and marketed == ("Workstation",)
