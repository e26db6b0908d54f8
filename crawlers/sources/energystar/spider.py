"""ENERGY STAR (U.S. EPA open data on Socrata): certified computers and displays.

Route (README.md in this folder): the catalogue (`data.json`, DCAT) names each dataset's
current id, which changes with a new specification version; each dataset's rows are paged
with SODA 2 (`$order=:id`, `$limit`, `$offset`) until a short page. The catalogue's shape is
RECONSTRUCTED (DCAT-US as Socrata publishes it; not seen here): an unreadable catalogue, or one
without a dataset of the known title, falls back to the known id with a warning, and a changed
id is used with a warning and a stat (`energystar/dataset_id_changed/<kind>`). Rows are real
(API samples): every value is a string, null fields are omitted, so numbers and dates are
parsed field by field, what is missing is counted, and an unknown field is ignored.

One row = one certified model; it becomes one record per market it lists (per-country
availability, as EPEAT's registrations), keyed by `pd_id` and country. ENERGY STAR gives no end
date: a model counts from `date_certified` while it is listed. Measured energy use becomes the
record's `measures` (crawlers.measures), with how far the annual energy lies below the limit.
"""

import csv
import io
import json
import os
import re
from urllib.parse import urlencode

import scrapy

from crawlers.measures import below_limit_percent
from crawlers.paging import Pager
from crawlers.registry_spider import RegistrySpider
from crawlers.replay import OPTIONAL
from crawlers.sources.declaration import slug
from crawlers.sources.energystar import MOST_EFFICIENT, SOURCE, WORKSTATION
from crawlers.vocabulary import country_code

_DATASET_ID = re.compile(r"/([a-z0-9]{4}-[a-z0-9]{4})(?=[/?.#\s]|$)")
_VERSION = re.compile(r"\bV(\d+(?:\.\d+)?)\b", re.IGNORECASE)
_UPC_SEPARATORS = re.compile(r"[;,\s]+")

# Per kind of dataset: the field that says what the product is, and its measures (field, measure).
KINDS = {
    "computers": {
        "type": "type",
        "measures": (
            ("tec_of_model_kwh", "annual_energy_kwh"),
            ("maximum_tec_requirements_etec_max_kwh", "annual_energy_limit_kwh"),
            ("off_mode_watts", "off_power_w"),
            ("sleep_mode_watts", "sleep_power_w"),
            ("long_idle_watts", "long_idle_power_w"),
            ("short_idle_watts", "short_idle_power_w"),
            ("integrated_display_diagonal_screen_size_in", "screen_size_in"),
        ),
        "expected": ("tec_of_model_kwh", "maximum_tec_requirements_etec_max_kwh"),
    },
    "displays": {
        "type": "display_type",
        "measures": (
            ("on_mode_power_watts", "on_mode_power_w"),
            ("maximum_on_mode_power_limit", "on_mode_power_limit_w"),
            ("sleep_mode_power_watts", "sleep_power_w"),
            ("off_mode_power_watts", "off_power_w"),
            ("monitor_total_energy", "annual_energy_kwh"),
            ("maximum_total_energy", "annual_energy_limit_kwh"),
            ("screen_size_inches", "screen_size_in"),
        ),
        "expected": ("on_mode_power_watts", "screen_size_inches"),
    },
}
# A zero here means "not measured" (a signage display has no annual energy), not zero energy.
ZERO_MEANS_NONE = {"monitor_total_energy", "maximum_total_energy"}
# Headers of a CSV saved from the portal (the columns' labels) whose slug is not the field name.
LABEL_FIELDS = {
    "energy_star_unique_id": "pd_id",
    "cb_model_identifier": "energy_star_model_identifier",
    "product_type": "display_type",
    "meets_most_efficient_2025_criteria": "meets_most_efficient_criteria",
    "monitor_total_energy_consumption_at_115_volts_kwh_yr": "monitor_total_energy",
    "maximum_total_energy_consumption_limit_for_monitor_certification_kwh_yr": "maximum_total_energy",
    "maximum_on_mode_power_limit_for_signage_certification_watts": "maximum_on_mode_power_limit",
}


def _text(value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


class EnergyStarSpider(RegistrySpider):
    name = SOURCE.name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pagers: dict[str, Pager] = {}

    # -- live: catalogue, then each dataset's pages ------------------------------------------
    def start_live(self):
        yield scrapy.Request(
            self.settings["ENERGYSTAR_CATALOG_URL"],
            headers=self._headers(),
            callback=self.parse_catalog,
            errback=self.catalog_failed,
            meta={OPTIONAL: True},
            dont_filter=True,
        )

    def _headers(self) -> dict:
        token = os.environ.get(SOURCE.environment[0])  # optional; sent, never logged
        return {"Accept": "application/json", **({"X-App-Token": token} if token else {})}

    def _known(self) -> dict[str, dict]:
        return self.settings.getdict("ENERGYSTAR_DATASETS")

    def catalog_failed(self, failure):
        self.count("catalog/unavailable")
        self.logger.warning("energystar: catalogue unavailable (%s): using the known dataset ids", failure.value)
        yield from self._datasets({kind: dict(known) for kind, known in self._known().items()})

    def parse_catalog(self, response):
        try:
            listed = json.loads(response.body).get("dataset")
        except (ValueError, UnicodeDecodeError, AttributeError):
            listed = None
        if not isinstance(listed, list):
            self.count("catalog/unreadable")
            self.logger.warning("energystar: catalogue at %s has no dataset list: using the known ids", response.url)
            listed = []
        chosen = {}
        for kind, known in self._known().items():
            found = []
            for entry in listed:
                title = _text(entry.get("title")) if isinstance(entry, dict) else None
                where = " ".join(str(entry.get(k) or "") for k in ("identifier", "landingPage")) if title else ""
                dataset_id = _DATASET_ID.search(where)
                if title and dataset_id and title.startswith(known["title"]):
                    version = _VERSION.search(title)
                    found.append((float(version.group(1)) if version else 0.0, dataset_id.group(1), title))
            if not found:
                if listed:
                    self.count(f"catalog/not_listed/{kind}")
                    self.logger.warning("energystar: no %r in the catalogue: using %s", known["title"], known["id"])
                chosen[kind] = dict(known)
                continue
            number, dataset_id, title = max(found)  # the newest specification version listed
            version = f"{number:.1f}" if number else (known["version"] if dataset_id == known["id"] else None)
            if dataset_id != known["id"]:
                self.count(f"dataset_id_changed/{kind}")
                self.logger.warning(
                    "energystar: the catalogue lists %r as %s, not %s (a new specification version?)",
                    title,
                    dataset_id,
                    known["id"],
                )
            chosen[kind] = {**known, "id": dataset_id, "version": version}
        yield from self._datasets(chosen)

    def _datasets(self, chosen: dict[str, dict]):
        for kind, dataset in chosen.items():
            if kind not in KINDS:
                self.logger.error("energystar: ENERGYSTAR_DATASETS names %r; known kinds: %s", kind, ", ".join(KINDS))
                continue
            yield self._page_request(kind, dataset, 0)

    def _page_request(self, kind: str, dataset: dict, offset: int):
        size = self.settings.getint("ENERGYSTAR_PAGE_SIZE")
        query = urlencode({"$limit": size, "$offset": offset, "$order": ":id"}, safe="$:")
        url = f"{self.settings['ENERGYSTAR_API_URL'].rstrip('/')}/resource/{dataset['id']}.json?{query}"
        return scrapy.Request(
            url,
            headers=self._headers(),
            callback=self.parse_page,
            errback=self.request_failed,
            cb_kwargs={"kind": kind, "dataset": dataset, "offset": offset, "size": size},
        )

    def parse_page(self, response, kind: str, dataset: dict, offset: int, size: int):
        rows = self.load_json(response, f"{kind} page at offset {offset}")
        if rows is None:
            return
        if not isinstance(rows, list):
            self.logger.error("energystar: %s page at %s is not a list of rows", kind, response.url)
            return
        if offset == 0 and not rows:
            self.logger.error("energystar: dataset %s (%s) has no rows at %s", dataset["id"], kind, response.url)
            return
        self.count(f"pages/{kind}")
        page = offset // size + 1
        for number, row in enumerate(rows, offset + 1):
            yield from self.row_items(row, kind, dataset, f"{kind} dataset {dataset['id']} row {number}")
        pager = self.pagers.setdefault(kind, Pager(self, f"{kind} dataset {dataset['id']}"))
        if len(rows) >= size and pager.more(page, rows):  # a short page is the last
            yield self._page_request(kind, dataset, offset + len(rows))

    # -- a file saved from the portal: JSON rows or CSV --------------------------------------
    def parse_file(self, response):
        rows = self._file_rows(response)
        if rows is None:
            return
        fields = set().union(*(row.keys() for row in rows)) if rows else set()
        kind = next((k for k in ("displays", "computers") if KINDS[k]["type"] in fields), None)
        if kind is None:
            self.logger.error(
                "energystar: %s: no `type` (computers) or `display_type` (displays) column: not an ENERGY STAR export",
                self.file,
            )
            return
        dataset = {**self._known()[kind], "id": None}
        for number, row in enumerate(rows, 1):
            yield from self.row_items(row, kind, dataset, f"{self.file.name} row {number}")

    def _file_rows(self, response) -> list[dict] | None:
        body = response.body.lstrip(b"\xef\xbb\xbf")
        if body.lstrip()[:1] in (b"[", b"{"):
            rows = self.load_json(response, "file")
            rows = rows.get("data") if isinstance(rows, dict) else rows
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                self.logger.error("energystar: %s: JSON but not a list of rows", self.file)
                return None
            return rows
        try:
            reader = csv.DictReader(io.StringIO(body.decode("utf-8")))
            return [
                {LABEL_FIELDS.get(slug(k), slug(k)): v for k, v in row.items() if k is not None and v not in (None, "")}
                for row in reader
            ]
        except (UnicodeDecodeError, csv.Error) as error:
            self.logger.error("energystar: %s: not a UTF-8 CSV or JSON file (%s)", self.file, error)
            return None

    # -- one row -----------------------------------------------------------------------------
    def row_items(self, row, kind: str, dataset: dict, ref: str):
        """One record per market the row lists (one without a market if it lists none)."""
        if not isinstance(row, dict):
            self.count("row/not_an_object")
            self.logger.warning("energystar: %s is not an object", ref)
            return
        pd_id = _text(row.get("pd_id"))
        if pd_id is None:
            self.missing("pd_id", ref)
            return
        ref = f"{ref} (pd_id {pd_id})"
        model = _text(row.get("model_name")) or _text(row.get("model_number"))
        if model is None:
            self.missing("model_name", ref)
            return
        brand = _text(row.get("brand_name"))
        if brand is None:
            self.missing("brand_name", ref)
        type_field = KINDS[kind]["type"]
        type_raw = _text(row.get(type_field))
        if type_raw is None:
            self.missing(type_field, ref)
        label, level = SOURCE.labels[0].name, dataset.get("version")
        certified = _text(row.get("date_certified")) or _text(row.get("date_qualified"))
        if certified is None:
            self.missing("date_certified", ref)
        number = _text(row.get("model_number"))
        flags, unknown = self._flags(row, kind, ref)
        record = {
            "source": self.name,
            "run_id": self.run_id,
            "label": label,
            "level": level,
            "level_rank": self.level_rank(label, level, ref),
            "brand": brand,
            "model": model,
            "category": self.category((type_field, type_raw)),
            "category_raw": type_raw,
            "certificate_id": pd_id,
            "valid_from": self.iso_date(certified),
            "valid_until": None,  # no end date: listed or not
            "status": None,
            "gtins": self.gtins([v for v in _UPC_SEPARATORS.split(_text(row.get("upc")) or "") if v], ref),
            "url": f"{self.settings['ENERGYSTAR_API_URL'].rstrip('/')}/d/{dataset['id']}" if dataset["id"] else None,
            "flags": flags,
            "unknown_flags": unknown,
            "registry_id": _text(row.get("energy_star_model_identifier")),
            "part_numbers": [number] if number and number != model else [],
            "measures": self._measures(row, kind, ref),
        }
        markets = [m.strip() for m in str(row.get("markets") or "").split(",") if m.strip()]
        if not markets:
            self.missing("markets", ref)
            yield {**record, "record_key": pd_id, "market": None, "market_code": None}
        for market in dict.fromkeys(markets):
            code = country_code(market)
            if code is None:
                self.count(f"market/unknown/{market}")
            yield {**record, "record_key": f"{pd_id}/{code or market}", "market": market, "market_code": code}

    def _flags(self, row: dict, kind: str, ref: str) -> tuple[list[str], list[str]]:
        flags, unknown = [], []
        fields = [(MOST_EFFICIENT, "meets_most_efficient_criteria")]
        if kind == "computers":
            fields.append((WORKSTATION, "product_marketed_as_a_workstation"))
        for flag, field in fields:
            value = (_text(row.get(field)) or "").lower()
            if value == "yes":
                flags.append(flag.name)
            elif value != "no":
                if value:
                    self.count(f"flag/unparsed/{field}")
                    self.logger.warning("energystar: %s: %s %r is not Yes/No", ref, field, row.get(field))
                unknown.append(flag.name)
        return flags, unknown

    def _measures(self, row: dict, kind: str, ref: str) -> dict[str, float]:
        found = {}
        for field, measure in KINDS[kind]["measures"]:
            value = self.number(row.get(field), field, ref)
            if value == 0 and field in ZERO_MEANS_NONE:
                self.count(f"measure/zero_not_measured/{field}")
                value = None
            if value is not None:
                found[measure] = value
            elif field in KINDS[kind]["expected"]:
                self.count(f"missing/{field}")
        if "annual_energy_kwh" in found and "annual_energy_limit_kwh" in found:
            below = below_limit_percent(found["annual_energy_kwh"], found["annual_energy_limit_kwh"])
            if below is not None:
                found["below_limit_percent"] = below
        return found
