"""EPEAT exports as real files of other years, categories and spreadsheet tools make them, built
from the real July 2024 sample by the transformations seen on such files: the two columns older
exports lack dropped, the registry's own product-type spellings, identifier cells typed as
numbers, a UPC whose leading zero a spreadsheet removed, a core column written twice."""

import csv
import io
import json
from collections import Counter

import duckdb
import pytest
from conftest import FIXTURES, response_from, run_cli
from openpyxl import Workbook

from crawlers.items import Certification
from crawlers.sources.epeat.spider import EpeatSpider

SAMPLE_CSV = FIXTURES / "epeat" / "epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv"
EXPORT_URL = "https://www.epeat.net/search-computers-and-displays/export?format=xlsx"
# The registry's own spellings of product types, seen on real exports (issue: 794 of 3,617 rows
# fell into "other" with them), with the canonical category each must reach.
REGISTRY_TYPES = {
    "Monitors": "display",
    "Tablet/Slate": "tablet",
    "slatetablet": "tablet",
    "Integrated Desktop Computer": "all_in_one",
    "Signage Display": "display",
    "Thin Client": "thin_client",
    "Workstation": "workstation",
    "Notebook": "notebook",
    "Desktop": "desktop",
    "Mobile Phones": "smartphone",
    "TV": "television",
    "Printers": "imaging",
    "Multifunction Devices": "imaging",
    "Copiers": "imaging",
    "Scanners": "imaging",
    "Fax": "imaging",
}


def sample() -> tuple[list[str], list[list[str]]]:
    with SAMPLE_CSV.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def without(header: list[str], rows: list[list], *columns: str) -> tuple[list[str], list[list]]:
    keep = [i for i, name in enumerate(header) if name not in columns]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in rows]


def write_csv(path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for values in [header, *rows]:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def spider(make_spider):
    return make_spider(EpeatSpider)


def parsed(spider, body: bytes) -> list[Certification]:
    response = response_from(body, EXPORT_URL, headers={"Content-Type": "application/vnd.openxmlformats"})
    return [Certification.model_validate(r) for r in spider.parse_export(response) if isinstance(r, dict)]


def stats(spider) -> dict:
    return {k.removeprefix("epeat/"): v for k, v in spider.crawler.stats.get_stats().items() if k.startswith("epeat/")}


def test_an_export_without_climate_plus_and_product_category_loads_every_row(tmp_path):
    header, rows = without(*sample(), "Climate+", "Product Category")
    export = tmp_path / "epeat-2022.csv"
    write_csv(export, header, rows)
    db = tmp_path / "lw.duckdb"
    run_cli("import", "epeat", export, "--db", db, check=True)
    with duckdb.connect(str(db), read_only=True) as con:
        categories = dict(con.execute("SELECT category, count(*) FROM certification GROUP BY 1").fetchall())
        unknown = con.execute("SELECT count(*) FROM certification WHERE unknown_flags = ['Climate+']").fetchone()[0]
        (run_stats,) = con.execute("SELECT stats FROM crawl_run").fetchone()
    assert categories == {"notebook": 521, "desktop": 123}  # every row canonical, none "other"
    assert unknown == 644  # Climate+ unknown, not false
    counted = json.loads(run_stats)
    assert counted["epeat/column/missing/Climate+"] == 1 and counted["epeat/column/missing/Product Category"] == 1
    assert not [k for k in counted if "unmapped" in k]

    report = run_cli("report", "availability", "-f", "json", "--db", db, "--flag", "Climate+", check=True)
    assert json.loads(report.stdout) == []  # no model is known to be Climate+
    assert "epeat: Climate+ not stated for 644 models" in report.stderr.replace("\n", " ")
    assert "unknown, not false" in report.stderr
    everything = json.loads(run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout)
    assert sum(r["models"] for r in everything if r["market"] is None) == 644


@pytest.mark.parametrize(
    "dropped, named",
    [(("Product Type", "Product Category"), "'Product Type or Product Category'"), (("EPEAT Tier",), "'EPEAT Tier'")],
)
def test_an_export_missing_a_required_column_fails_naming_it(spider, caplog, dropped, named):
    header, rows = without(*sample(), *dropped)
    assert parsed(spider, xlsx(header, rows[:3])) == []
    assert f"{EXPORT_URL}: required column {named} missing" in caplog.text


def test_the_registrys_own_type_spellings_map_and_photovoltaics_are_out_of_scope(spider):
    header, rows = sample()
    kind, category = header.index("Product Type"), header.index("Product Category")
    spellings = list(REGISTRY_TYPES)
    changed = []
    for number, values in enumerate(rows):
        values = list(values)
        values[kind] = spellings[number % len(spellings)]
        changed.append(values)
    changed[0][kind], changed[0][category] = "*", "PHOTOVOLTAIC MODULES\nAND INVERTERS"
    changed[1][kind], changed[1][category] = "*", "Imaging Equipment"
    items = parsed(spider, xlsx(header, changed))
    assert len(items) == 643  # the photovoltaic row skipped
    for item, values in zip(items, changed[1:], strict=True):
        expected = "imaging" if values is changed[1] else REGISTRY_TYPES[values[kind]]
        assert item.category == expected, (values[kind], item.category)
    counted = stats(spider)
    assert counted["out_of_scope/PHOTOVOLTAIC MODULES AND INVERTERS"] == 1  # white space collapsed
    assert not [k for k in counted if k.startswith("category/unmapped")]


def test_numeric_identifier_cells_keep_their_digits_and_a_dropped_leading_zero_is_restored(spider):
    header, rows = sample()
    upc, mpn = header.index("Universal Product Code"), header.index("Manufacturer Part Number")
    single = [r for r in rows if r[upc].strip().isdigit()][:40]
    assert len(single) == 40  # rows whose UPC cell holds one code: a spreadsheet types those as numbers
    as_text = parsed(spider, xlsx(header, single))
    numeric = []
    for values in single:
        values = list(values)
        values[upc] = int(values[upc])  # how a spreadsheet tool stores it
        numeric.append(values)
    numeric[0][upc] = float(numeric[0][upc])  # and sometimes as a float
    zero = list(single[1])
    zero[upc] = 12345678905  # UPC-A 012345678905 without its leading zero (11 digits), check digit 5
    zero[mpn] = 5550123  # a numeric part number
    numeric[1] = zero
    spider_items = parsed(spider, xlsx(header, numeric))
    assert [i.gtins for i in spider_items[2:]] == [i.gtins for i in as_text[2:]]
    assert spider_items[0].gtins == as_text[0].gtins
    assert spider_items[1].gtins == ["00012345678905"] and spider_items[1].part_numbers == ["5550123"]
    counted = stats(spider)
    assert counted["gtin/leading_zero_restored"] == 1
    assert counted["identifier/numeric_cell"] == 41  # 40 UPCs and the part number
    assert sum(len(i.gtins) for i in spider_items) == 40  # nothing dropped


def test_a_core_column_written_twice_is_an_error_naming_it(spider, caplog):
    header, rows = sample()
    doubled = ["Product Name", *header]
    items = parsed(spider, xlsx(doubled, [["decoy", *r] for r in rows[:5]]))
    assert items == []
    assert "column 'Product Name' appears 2 times in the header" in caplog.text


def test_real_spellings_of_brands_count_as_one_brand():
    spellings = Counter(
        Certification(
            source="epeat",
            run_id=1,
            record_key=str(n),
            label="EPEAT",
            level=None,
            brand=brand,
            model="M",
            category="notebook",
            category_raw=None,
            certificate_id=None,
            valid_from=None,
            valid_until=None,
            status=None,
            gtins=[],
            url=None,
        ).brand_normalised
        for n, brand in enumerate(
            [
                "Apple Inc.",
                "APPLE",
                "Fujitsu Limited",
                "FUJITSU",
                "AOC International (Europe) B.V.",
                "AOC",
                "MMD Monitors and Displays Nederland B.V.",
                "Philips",
                "ASUSTeK Computer Inc.",
                "ASUS",
                "Hewlett Packard",
                "HP Inc.",
                "HP",
                "Dell Inc.",
                "DELL",
            ]
        )
    )
    assert spellings == {"Apple": 2, "Fujitsu": 2, "AOC": 2, "Philips": 2, "ASUS": 2, "HP": 3, "Dell": 2}


def test_dates_read_from_month_first_text_iso_text_date_cells_and_excel_serials(spider):
    """The real sample writes `4/30/2021 00:00:00`; other exports carry ISO text, date cells or
    the bare serial day number a spreadsheet keeps when a cell loses its date format."""
    from datetime import date, datetime

    header, rows = sample()
    registered, archived = header.index("Registered On"), header.index("Archived On")
    spellings = ["4/30/2021 00:00:00", "2021-04-30", datetime(2021, 4, 30), 44316, 44316.0]
    changed = []
    for value, values in zip(spellings, rows, strict=False):
        values = list(values)
        values[registered], values[archived] = value, "2025-12-31T00:00:00"
        changed.append(values)
    items = parsed(spider, xlsx(header, changed))
    assert [i.registered_on for i in items] == [date(2021, 4, 30)] * 5
    assert {i.valid_until for i in items} == {date(2025, 12, 31)}


def test_one_bad_value_drops_that_value_or_record_never_the_export(spider, caplog):
    """A Total Score no export can hold, an Excel serial date beyond 9999 or before 1900: counted and
    dropped (the score) or the record rejected by the item model (a date it cannot read)."""
    header, rows = sample()
    score, registered = header.index("Total Score"), header.index("Registered On")
    rows = [list(r) for r in rows]
    rows[0][score] = "3000000000 of 48"
    rows[1][registered] = 1e10
    rows[2][registered] = -5
    items = list(spider.parse_export(response_from(xlsx(header, rows), EXPORT_URL)))
    assert len(items) == len(rows) == 644
    assert (items[0]["score_points"], items[0]["score_max"]) == (None, None)
    assert stats(spider)["total_score/unparsed"] == 1 and "'3000000000 of 48' is not 'N of M'" in caplog.text
    for item in items[1:3]:
        with pytest.raises(ValueError, match="valid_from"):
            Certification.model_validate(item)
    assert all(Certification.model_validate(i) for i in items[3:])


def test_a_csv_cell_longer_than_csvs_default_limit_is_read(spider, tmp_path):
    header, rows = sample()
    rows = [list(r) for r in rows]
    rows[0][header.index("Manufacturer Part Number")] = ",".join(f"PART{n:06d}" for n in range(20_000))  # 220,000 chars
    export = tmp_path / "export.csv"
    write_csv(export, header, rows)
    items = list(spider.parse_export(response_from(export.read_bytes(), "https://www.epeat.net/export.csv")))
    assert len(items) == 644 and len(items[0]["part_numbers"]) == 20_000


def zip_of(name: str, content: bytes) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(make_spider, caplog):
    bomb = zip_of("xl/worksheets/sheet1.xml", b"0" * (64 * 1024 * 1024))  # 64 MiB of one byte: ~65 KiB zipped
    assert len(bomb) < 100_000
    spider = make_spider(EpeatSpider)
    assert list(spider.parse_export(response_from(bomb, EXPORT_URL))) == []
    assert "entry 'xl/worksheets/sheet1.xml' expands 1," in caplog.text and "LABELWATCH_MAX_RATIO" in caplog.text
    header, rows = sample()
    small = make_spider(EpeatSpider, {"LABELWATCH_MAX_UNCOMPRESSED": 100_000})
    assert list(small.parse_export(response_from(xlsx(header, rows), EXPORT_URL))) == []
    assert "more than 100,000 (LABELWATCH_MAX_UNCOMPRESSED)" in caplog.text
