"""EPEAT (Global Electronics Council): registered products per country, tier and Climate+.

Route (README.md in this folder): the home page's category tabs (`#search-tabs` links) →
each category search page → its Excel export link (`a.link-icon.-export`) → the .xlsx. The
MARKUP of these pages is RECONSTRUCTED (only the two selectors are known, from a third-party
scraper): when discovery finds nothing the run fails saying so, and the setting
EPEAT_EXPORT_URLS lists export URLs directly to skip discovery. The export's COLUMNS are
confirmed (a real July 2024 export): headers are matched by name, a missing core column fails
the run naming the file and the column, and every column after `Exceptions` is an identifier
type (GTIN/EAN/UPC values become GTIN-14s, part numbers are kept, the rest is ignored).

One row = one product registered in one country; every row is kept, archived ones too. A row
is current when Status is "Active" and it has no archive date (`valid_until` = archive date).
The .xlsx is read with python-calamine (Rust): about 20 times faster than openpyxl's read-only
mode on these exports, whose identifier cells run to 30,000 characters; it holds the sheet's
cells in memory (about 2.3 KiB a row), while items stream out row by row (bench/README.md).
"""

import csv
import io
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import scrapy
from python_calamine import CalamineWorkbook

from crawlers.archives import UnsafeArchive
from crawlers.gtin import to_gtin14
from crawlers.registry_spider import RegistrySpider
from crawlers.sources.epeat import CLIMATE_PLUS, SOURCE
from crawlers.vocabulary import country_code

# Columns a record cannot do without: a missing one fails the run naming it.
REQUIRED_COLUMNS = ("Id", "Product Name", "Manufacturer", "EPEAT Tier", "Registered In", "Status")
# At least one of these says what a product is (exports before 2023 have no Product Category).
TYPE_COLUMNS = ("Product Type", "Product Category")
# Read when present; a missing one means "unknown" for every row, counted once per export
# (exports before 2023 have no Climate+).
OPTIONAL_COLUMNS = ("Climate+", "Total Score", "Registered On", "Archived On", "Exceptions")
CORE_COLUMNS = (*REQUIRED_COLUMNS, *TYPE_COLUMNS, *OPTIONAL_COLUMNS)
GTIN_COLUMNS = ("Global Trade Item Number", "European Article Number", "Universal Product Code")
PART_NUMBER_COLUMNS = ("Manufacturer Part Number",)
_SCORE = re.compile(r"^\s*(\d+)\s+of\s+(\d+)\s*$")
_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})")
_ZIP_MAGIC = b"PK\x03\x04"
MAX_CSV_CELL = 16 * 1024 * 1024  # identifier cells run to 30,000 characters; csv's default limit is 131,072
MAX_SCORE = 10_000  # EPEAT's Total Score is "N of M" points, M in the tens
EXCEL_SERIAL_DAYS = (1, 2_958_465)  # 1900-01-01 .. 9999-12-31 as Excel day numbers


class ExportFormatError(ValueError):
    """The export is not what the parser knows: names the file and what is wrong."""


def _text(value) -> str | None:
    """Cell text; `*` (the export's "none") and blanks are None."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return None if text in ("", "*") else text


def _identifier_text(value) -> str | None:
    """An identifier cell as text: a number a spreadsheet stored (197105004894.0) as its digits,
    without `.0` or an exponent; None for a value no identifier can be (a date, a fraction)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and 0 <= value < 1e15:  # exact below 2**53
        return str(int(value))
    return None


@lru_cache(maxsize=1 << 14)
def _split_gtins(cell: str) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(valid GTIN-14s, invalid values, how many were 11-digit UPCs restored) of a comma-separated
    identifier cell. An 11-digit value is a 12-digit UPC whose leading zero a spreadsheet
    dropped when its check digit verifies with the zero back. Cached: the same product repeats
    its cell in every country it is registered in."""
    valid, invalid, restored = [], [], 0
    for value in cell.split(","):
        value = value.strip()
        if value and value != "*":
            gtin = to_gtin14(value)
            if gtin is None and len(value) == 11 and value.isdigit():
                gtin = to_gtin14("0" + value)
                restored += gtin is not None
            (valid if gtin else invalid).append(gtin or value)
    return tuple(valid), tuple(invalid), restored


class EpeatSpider(RegistrySpider):
    name = "epeat"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_category_pages = 0
        self.exports_found = 0

    # -- routes ---------------------------------------------------------------------------
    def start_live(self):
        urls = self.settings.getlist("EPEAT_EXPORT_URLS")
        if urls:
            for url in urls:
                yield scrapy.Request(url, callback=self.parse_export, errback=self.request_failed)
        else:
            yield scrapy.Request(self.settings["EPEAT_HOME_URL"], callback=self.parse_home, errback=self.request_failed)

    def parse_home(self, response):
        links = [link for link in response.css("#search-tabs a::attr(href)").getall() if link.strip()]
        if not links:
            self.logger.error(
                "epeat: no category tabs (#search-tabs a) on %s: the page changed; "
                "set EPEAT_EXPORT_URLS to skip discovery",
                response.url,
            )
            return
        self.pending_category_pages = len(links)
        for link in links:
            yield response.follow(link, callback=self.parse_category, errback=self.category_failed)

    def parse_category(self, response):
        self.pending_category_pages -= 1
        export = response.css("a.link-icon.-export::attr(href)").get()
        if export:
            self.exports_found += 1
            yield response.follow(
                export, callback=self.parse_export, errback=self.request_failed, cb_kwargs={"page_url": response.url}
            )
        else:
            self.count("category_page_without_export")
            self.logger.warning("epeat: no export link (a.link-icon.-export) on %s", response.url)
        self._check_discovery(response.url)

    def category_failed(self, failure):
        self.pending_category_pages -= 1
        self.request_failed(failure)
        self._check_discovery(failure.request.url)

    def _check_discovery(self, last_url: str) -> None:
        if self.pending_category_pages == 0 and self.exports_found == 0:
            self.logger.error(
                "epeat: no category page had an export link (last: %s): the markup changed; "
                "set EPEAT_EXPORT_URLS to skip discovery",
                last_url,
            )

    # -- parsing --------------------------------------------------------------------------
    def parse_export(self, response, page_url: str | None = None):
        yield from self._parse_rows(response, page_url or response.url)

    def parse_file(self, response):
        yield from self._parse_rows(response, None)

    def _parse_rows(self, response, link: str | None):
        where = self.file.name if self.file else response.url
        rows_seen = 0
        try:
            header, rows = self._open(response, where)
            columns = self._columns(header, where)
            self.count("exports")
            for number, row in enumerate(rows, 2):
                if not any(v is not None and v != "" for v in row):
                    continue
                rows_seen += 1
                item = self.row_item(columns, row, f"{where} row {number}", link)
                if item is not None:
                    yield item
        except ExportFormatError as error:
            self.logger.error("epeat: %s", error)
        except Exception as error:  # a truncated or corrupt file fails mid-way: say where
            self.logger.error("epeat: %s could not be read to the end (%s: %s)", where, type(error).__name__, error)
        finally:
            self.count("rows", rows_seen)

    def _open(self, response, where: str):
        """(header, row iterator) of an .xlsx (streamed) or .csv export."""
        body = response.body
        if body.startswith(_ZIP_MAGIC):
            try:
                self.check_archive(body, where)
            except UnsafeArchive as error:
                raise ExportFormatError(str(error)) from None
            rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).iter_rows()
        elif where.lower().endswith(".csv") or b"csv" in response.headers.get(b"Content-Type", b"").lower():
            csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_CELL))
            rows = csv.reader(io.TextIOWrapper(io.BytesIO(body), encoding="utf-8-sig", newline=""))
        else:
            content_type = response.headers.get(b"Content-Type", b"?").decode("latin-1")
            raise ExportFormatError(
                f"{where} is not an .xlsx or .csv export (Content-Type {content_type}; "
                f"body starts {body[:60].decode('utf-8', 'replace')!r})"
            )
        header = next(rows, None)
        if header is None:
            raise ExportFormatError(f"{where} is empty: no header row")
        return header, rows

    def _columns(self, header, where: str) -> dict:
        """Where each column is: `core`, the index of each of CORE_COLUMNS in its order (None
        when an optional column is absent); identifier columns are every column after `Exceptions`
        (or, without it, those named as identifier types)."""
        names = [_text(h) or "" for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if not any(c in names for c in TYPE_COLUMNS):
            missing.append(" or ".join(TYPE_COLUMNS))
        if missing:
            raise ExportFormatError(
                f"{where}: required column {missing[0]!r} missing"
                f"{f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''}; "
                f"header is {names[:16]}"
            )
        twice = [c for c in CORE_COLUMNS if names.count(c) > 1]
        if twice:
            raise ExportFormatError(f"{where}: column {twice[0]!r} appears {names.count(twice[0])} times in the header")
        for name in CORE_COLUMNS:
            if name not in names:
                self.count(f"column/missing/{name}")
                self.logger.warning("epeat: %s has no %r column: read as unknown for every row", where, name)
        offset = names.index("Exceptions") + 1 if "Exceptions" in names else 0
        identifiers = {i: n for i, n in enumerate(names) if i >= offset and n not in CORE_COLUMNS}
        if not offset:  # no Exceptions column to say where identifiers start: only known identifier types
            identifiers = {i: n for i, n in identifiers.items() if n in GTIN_COLUMNS + PART_NUMBER_COLUMNS}
        for name in identifiers.values():
            if name and name not in GTIN_COLUMNS + PART_NUMBER_COLUMNS:
                self.count(f"identifier_column/ignored/{name}")
        return {
            "core": tuple(names.index(name) if name in names else None for name in CORE_COLUMNS),
            "gtin": [i for i, n in identifiers.items() if n in GTIN_COLUMNS],
            "part": [i for i, n in identifiers.items() if n in PART_NUMBER_COLUMNS],
            "width": len(names),
        }

    def _identifiers(self, row, indexes: list[int]) -> list[str]:
        """The text of a row's identifier cells; a number stored by a spreadsheet is read as its
        digits (counted), a cell no identifier can be is counted and skipped."""
        cells = []
        for i in indexes:
            value = row[i]
            if value is None or value == "":
                continue
            text = _identifier_text(value)
            if text is None:
                self.count("identifier/unreadable_cell")
            else:
                if not isinstance(value, str):
                    self.count("identifier/numeric_cell")
                cells.append(text)
        return cells

    def row_item(self, columns: dict, row, ref: str, link: str | None) -> dict | None:
        if len(row) < columns["width"]:
            row = [*row, *[None] * (columns["width"] - len(row))]
        (
            id_,
            name,
            brand,
            tier,
            market,
            status,
            product_type,
            product_category,
            climate,
            score,
            registered,
            archived,
            exceptions,
        ) = (None if i is None else row[i] for i in columns["core"])  # CORE_COLUMNS' order
        registry_id, name, market = _text(id_), _text(name), _text(market)
        ref = f"{ref} (Id {registry_id})"
        for field, value in (("Id", registry_id), ("Product Name", name), ("Registered In", market)):
            if value is None:
                self.missing(field, ref)
                return None
        brand, tier = _text(brand), _text(tier)
        for field, value in (("Manufacturer", brand), ("EPEAT Tier", tier)):
            if value is None:
                self.missing(field, ref)
        code = country_code(market)
        if code is None:
            self.count(f"market/unknown/{market}")
        product_category, product_type = _text(product_category), _text(product_type)
        if self.out_of_scope(("type", product_type), ("category", product_category)):
            return None
        points, maximum = self._score(_text(score), ref)
        registered_on, archived_on = self._date(registered), self._date(archived)
        gtins, parts = [], []
        for text in self._identifiers(row, columns["gtin"]):
            valid, invalid, restored = _split_gtins(text)  # cached on the cell's text
            gtins.extend(valid)
            if invalid:
                self.count("gtin/invalid", len(invalid))
            if restored:
                self.count("gtin/leading_zero_restored", restored)
        for text in self._identifiers(row, columns["part"]):
            parts.extend(p.strip() for p in text.split(",") if p.strip() not in ("", "*"))
        label = SOURCE.labels[0].name
        climate_plus = self._bool(climate, ref)
        return {
            "source": self.name,
            "run_id": self.run_id,
            "record_key": f"{registry_id}/{code or market}",
            "label": label,
            "level": tier,
            "level_rank": self.level_rank(label, tier, ref),
            "brand": brand,
            "model": name,
            "category": self.category(("type", product_type), ("category", product_category)),
            "category_raw": " / ".join(v for v in (product_category, product_type) if v) or None,
            "certificate_id": registry_id,
            "valid_from": registered_on,
            "valid_until": archived_on,
            "status": _text(status),
            "gtins": gtins,
            "url": link,
            "market": market,
            "market_code": code,
            "flags": [CLIMATE_PLUS.name] if climate_plus else [],
            "unknown_flags": [CLIMATE_PLUS.name] if climate_plus is None else [],
            "score_points": points,
            "score_max": maximum,
            "registered_on": registered_on,
            "archived_on": archived_on,
            "exceptions": _text(exceptions),
            "registry_id": registry_id,
            "part_numbers": parts,
        }

    def _score(self, text: str | None, ref: str) -> tuple[int | None, int | None]:
        match = _SCORE.match(text or "")
        if match and int(match.group(1)) <= int(match.group(2)) <= MAX_SCORE:
            return int(match.group(1)), int(match.group(2))
        if text is not None:
            self.count("total_score/unparsed")
            self.logger.warning("epeat: %s: Total Score %r is not 'N of M' points (M at most %d)", ref, text, MAX_SCORE)
        return None, None

    def _bool(self, value, ref: str) -> bool | None:
        if isinstance(value, bool) or value is None:
            return value
        text = str(value).strip().upper()
        if text in ("TRUE", "YES", "1"):
            return True
        if text in ("FALSE", "NO", "0"):
            return False
        if text in ("", "*"):
            return None
        self.count("climate_plus/unparsed")
        self.logger.warning("epeat: %s: Climate+ %r is not TRUE/FALSE", ref, value)
        return None

    @staticmethod
    def _date(value):
        """A date from an Excel date cell, an Excel serial number, `M/D/YYYY 00:00:00` or ISO text;
        `*`/empty is None; anything else is returned for the item model to reject by name."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not EXCEL_SERIAL_DAYS[0] <= value <= EXCEL_SERIAL_DAYS[1]:  # also NaN
                return f"day number {value}"  # no date: the item model rejects the record naming the field
            return (datetime(1899, 12, 30) + timedelta(days=value)).date()  # an Excel serial day number
        text = _text(value)
        if text is None:
            return None
        us = _US_DATE.match(text)
        if us:
            month, day, year = map(int, us.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return text
        return RegistrySpider.iso_date(text)
