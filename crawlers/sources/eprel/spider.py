"""EPREL (the EU's product registry for energy labelling): smartphones, slate tablets and
electronic displays.

Route (README.md in this folder): per product group, the bulk export
(`{EPREL_API_URL}/exportProducts/<group>`, a ZIP of JSON; UNVERIFIED) first, and when it is
refused, unreadable or switched off (`EPREL_EXPORT`), the list `…/products/<group>?_page&_limit`
until the hits collected equal the envelope's `size`. Every request carries the key from
EPREL_API_KEY (sent, never logged, never recorded); without a key a live crawl fails saying how
to get one, and `labelwatch import eprel FILE` reads an export saved by hand (the ZIP, a JSON
array of records, or a list page's JSON).

The list envelope is real; the field names of IT records are RECONSTRUCTED (third parties'
code and a renamed-column sample): a missing field is counted and named, an unknown one
ignored, numbers read whether typed as numbers or strings, dates as `[y, m, d]`, ISO text or the
`…TS` epoch. Only a registration's last version counts; a withdrawn one does not. The supplier's
`contactDetails` (personal data) are never read.

One registration becomes one record per label it carries (energy class; for phones and tablets
the repairability class too), without a market: the pipeline counts it in each EU member state
(the declaration's market scope).
"""

import io
import json
import os
import zipfile
from datetime import UTC, date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import scrapy
from scrapy.exceptions import CloseSpider

from crawlers.archives import UnsafeArchive
from crawlers.paging import Pager
from crawlers.registry_spider import RegistrySpider
from crawlers.replay import OPTIONAL
from crawlers.sources.eprel import (
    ENERGY_LABEL,
    FOLDABLE,
    GROUPS,
    REPAIRABILITY,
    REPLACEABLE_BATTERY,
    SOURCE,
    USB_C,
)
from crawlers.sources.eprel.displays import classify

KEY_VARIABLE = SOURCE.environment[0]
KEY_REQUEST = "https://eprel.ec.europa.eu/screen/requestpublicapikey"
WITHDRAWN = {"WITHDRAWN", "DELETED", "REMOVED"}
BRUSSELS = ZoneInfo("Europe/Brussels")  # the registry's day: an epoch at local midnight is that day
_ZIP_MAGIC = b"PK\x03\x04"

# Measures per kind of group: (EPREL field, measure, factor). Battery endurance is declared in
# hundreds of cycles (8 = 800).
PHONE_MEASURES = (
    ("batteryEnduranceInCycles", "battery_cycles", 100),
    ("ratedBatteryCapacity", "battery_capacity_mah", 1),
    ("minYearsSoftwareUpdates", "software_update_years", 1),
    ("guaranteeDuration", "guarantee_months", 1),
    ("fallsWithoutDefect", "falls_without_defect", 1),
    ("repairabilityIndex", "repairability_index", 1),
)
DISPLAY_MEASURES = (
    ("powerOnModeSDR", "on_mode_power_w", 1),
    ("powerOnModeHDR", "on_mode_power_hdr_w", 1),
    ("energyConsumption1000hSDR", "energy_1000h_kwh", 1),
    ("energyConsumption1000hHDR", "energy_1000h_hdr_kwh", 1),
    ("powerStandby", "standby_power_w", 1),
    ("resolutionHorizontalPixels", "resolution_horizontal_px", 1),
    ("resolutionVerticalPixels", "resolution_vertical_px", 1),
)


def _text(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _yes(value) -> bool | None:
    """A yes/no typed as a boolean or as text ("True", "false", "YES"); None when neither."""
    if isinstance(value, bool):
        return value
    text = (_text(value) or "").lower()
    return True if text in ("true", "yes", "1") else False if text in ("false", "no", "0") else None


class EprelSpider(RegistrySpider):
    name = SOURCE.name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pagers: dict[str, Pager] = {}

    # -- live: export first, then pages ------------------------------------------------------
    def start_live(self):
        if not os.environ.get(KEY_VARIABLE) and not self.settings.get("LABELWATCH_REPLAY_DIR"):
            self.logger.error(
                "eprel: no API key: EPREL's public API needs one in the environment variable %s (request it at %s; "
                "the request asks for an EU Login and an electronic signature or seal). Without a key, save an "
                "export by hand and run `labelwatch import eprel FILE`",
                KEY_VARIABLE,
                KEY_REQUEST,
            )
            raise CloseSpider("no_api_key")
        for group in self.settings.getlist("EPREL_GROUPS"):
            if group not in GROUPS:
                self.logger.error("eprel: EPREL_GROUPS names %r; known groups: %s", group, ", ".join(GROUPS))
            elif self.settings.getbool("EPREL_EXPORT"):
                yield scrapy.Request(
                    f"{self._api()}/exportProducts/{group}",
                    headers=self._headers(),
                    callback=self.parse_export,
                    errback=self.export_failed,
                    cb_kwargs={"group": group},
                    meta={OPTIONAL: True},
                    dont_filter=True,
                )
            else:
                yield self._page_request(group, 1)

    def _api(self) -> str:
        return self.settings["EPREL_API_URL"].rstrip("/")

    def _headers(self) -> dict:
        key = os.environ.get(KEY_VARIABLE)  # sent, never logged or recorded (recordings keep response headers only)
        return {"Accept": "application/json", **({"X-API-KEY": key} if key else {})}

    def export_failed(self, failure):
        group = failure.request.cb_kwargs["group"]
        self.count(f"export/unavailable/{group}")
        self.logger.warning("eprel: no bulk export of %s (%s): paging the list", group, failure.getErrorMessage())
        yield self._page_request(group, 1)

    def parse_export(self, response, group: str):
        records = self._archive_records(response.body, f"export of {group} at {response.url}")
        if records is None:
            self.count(f"export/unreadable/{group}")
            yield self._page_request(group, 1)
            return
        self.count(f"export/read/{group}")
        yield from self.registrations(records, group, f"export of {group}")

    def _page_request(self, group: str, page: int):
        size = self.settings.getint("EPREL_PAGE_SIZE")
        query = urlencode({"_page": page, "_limit": size})
        return scrapy.Request(
            f"{self._api()}/products/{group}?{query}",
            headers=self._headers(),
            callback=self.parse_page,
            errback=self.request_failed,
            cb_kwargs={"group": group, "page": page, "hits": []},
        )

    def parse_page(self, response, group: str, page: int, hits: list):
        envelope = self.load_json(response, f"{group} page {page}")
        if envelope is None:
            return
        size, found = (envelope.get("size"), envelope.get("hits")) if isinstance(envelope, dict) else (None, None)
        if not isinstance(found, list) or isinstance(size, bool) or not isinstance(size, int):
            self.logger.error("eprel: %s page %d at %s is not a list envelope {size, hits}", group, page, response.url)
            return
        self.count(f"pages/{group}")
        hits = hits + found
        pager = self.pagers.setdefault(group, Pager(self, f"{group} list"))
        if len(hits) < size and pager.more(page, found):
            request = self._page_request(group, page + 1)
            request.cb_kwargs["hits"] = hits
            yield request
            return
        if len(hits) != size:
            self.count(f"paging/short/{group}")
            self.logger.error("eprel: %s: the list states %d registrations, %d were read", group, size, len(hits))
            return
        yield from self.registrations(hits, group, f"{group} list")

    # -- a file saved by hand ---------------------------------------------------------------
    def parse_file(self, response):
        body = response.body
        if body.startswith(_ZIP_MAGIC):
            records = self._archive_records(body, str(self.file))
        else:
            try:
                loaded = json.loads(body.lstrip(b"\xef\xbb\xbf"))
            except (ValueError, UnicodeDecodeError) as error:
                self.logger.error("eprel: %s: neither a ZIP export nor JSON (%s)", self.file, str(error)[:80])
                return
            records = self._records_of(loaded, str(self.file))
        if records is None:
            self.logger.error("eprel: %s: not an EPREL export that can be read (see the warning before)", self.file)
            return
        by_group: dict[str, list] = {}
        for record in records:
            group = self._group_of(record)
            if group is None and isinstance(record, dict) and record.get("productGroup") is None:
                group = self._group_by_fields(record)
            if group is None:
                self.count(f"group/unknown/{_text(record.get('productGroup')) if isinstance(record, dict) else '?'}")
                continue
            by_group.setdefault(group, []).append(record)
        if not by_group:
            self.logger.error("eprel: %s holds no registration of %s", self.file, ", ".join(GROUPS))
        for group, found in by_group.items():
            yield from self.registrations(found, group, self.file.name)

    @staticmethod
    def _group_of(record) -> str | None:
        """The url_code of a record's `productGroup`, given as url_code or as code."""
        raw = _text(record.get("productGroup")) if isinstance(record, dict) else None
        codes = {code: url_code for url_code, code in GROUPS.items()}
        return raw if raw in GROUPS else codes.get(raw or "")

    def _group_by_fields(self, record: dict) -> str | None:
        """The group of a record without `productGroup`, by the fields only its group has."""
        for group, fields in (
            ("smartphonestablets20231669", ("deviceType", "repairabilityClass")),
            ("electronicdisplays", ("energyClassSDR", "diagonalInch", "diagonalCm")),
        ):
            if any(field in record for field in fields):
                self.count(f"group/inferred/{group}")
                return group
        return None

    def _records_of(self, loaded, where: str) -> list | None:
        """The records of a JSON document: an array of records, or a list envelope {size, hits}."""
        if isinstance(loaded, dict) and isinstance(loaded.get("hits"), list):
            return loaded["hits"]
        if isinstance(loaded, list):
            return loaded
        self.logger.error("eprel: %s: JSON but neither an array of registrations nor a list envelope", where)
        return None

    def _archive_records(self, body: bytes, where: str) -> list | None:
        """The records of every JSON entry of a ZIP export, after the archive's limits are checked."""
        try:
            self.check_archive(body, where)
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                records = []
                for name in sorted(n for n in archive.namelist() if n.lower().endswith(".json")):
                    found = self._records_of(json.loads(archive.read(name)), f"{where}: {name}")
                    if found is None:
                        return None
                    records += found
        except (UnsafeArchive, zipfile.BadZipFile, ValueError, UnicodeDecodeError) as error:
            self.logger.warning("eprel: %s is not a readable ZIP of JSON: %s", where, str(error)[:200])
            return None
        return records

    # -- registrations -----------------------------------------------------------------------
    def registrations(self, records: list, group: str, where: str):
        """The records of the last version of each registration that is not withdrawn."""
        latest: dict[str, tuple[float, dict, str]] = {}
        for number, record in enumerate(records, 1):
            ref = f"{where} record {number}"
            if not isinstance(record, dict):
                self.count("record/not_an_object")
                self.logger.warning("eprel: %s is not an object", ref)
                continue
            registration = _text(record.get("eprelRegistrationNumber"))
            if registration is None:
                self.missing("eprelRegistrationNumber", ref)
                continue
            if _yes(record.get("lastVersion")) is False:
                self.count("version/earlier")
                continue
            status = (_text(record.get("status")) or "").upper()
            if status in WITHDRAWN or _yes(record.get("blocked")):
                self.count(f"withdrawn/{status or 'BLOCKED'}")
                continue
            kept = latest.get(registration)
            version = self.number(record.get("versionNumber"), "versionNumber", ref) or 0
            if kept is None or version > kept[0]:
                latest[registration] = (version, record, ref)
        for registration, (_, record, ref) in latest.items():
            yield from self.label_records(record, group, registration, f"{ref} (registration {registration})")

    def label_records(self, record: dict, group: str, registration: str, ref: str):
        model = _text(record.get("modelIdentifier"))
        if model is None:
            self.missing("modelIdentifier", ref)
            return
        brand = _text(record.get("supplierOrTrademark"))
        if brand is None:
            self.missing("supplierOrTrademark", ref)
        displays = group == "electronicdisplays"
        measures = self._measures(record, DISPLAY_MEASURES if displays else PHONE_MEASURES, ref)
        if displays:
            category, category_raw = self._display_category(record, model, measures, ref)
            classes = ((ENERGY_LABEL, "energyClassSDR"),)
        else:
            ip = self._ip(record, ref)
            measures.update({"ip_rating": ip} if ip is not None else {})
            device = _text(record.get("deviceType"))
            if device is None:
                self.missing("deviceType", ref)
            category, category_raw = self.category(("deviceType", device)), device
            classes = ((ENERGY_LABEL, "energyClass"), (REPAIRABILITY, "repairabilityClass"))
        flags, unknown = self._flags(record, displays)
        common = {
            "source": self.name,
            "run_id": self.run_id,
            "brand": brand,
            "model": model,
            "category": category,
            "category_raw": category_raw,
            "certificate_id": registration,
            "registry_id": registration,
            "valid_from": self._day(record, "onMarketStartDate", ref),
            "valid_until": self._day(record, "onMarketEndDate", ref),
            "status": self._status(record, ref),
            "gtins": [],
            "url": SOURCE.record_link.format(certificate_id=registration),
            "flags": flags,
            "unknown_flags": unknown,
            "measures": measures,
        }
        if common["valid_from"] is None:
            self.missing("onMarketStartDate", ref)
        for label, field in classes:
            level = (_text(record.get(field)) or "").upper() or None
            if level is None:
                self.missing(field, ref)
                continue
            yield {
                **common,
                "record_key": f"{registration}/{label.key}",
                "label": label.name,
                "level": level,
                "level_rank": self.level_rank(label.name, level, ref),
            }

    def _status(self, record: dict, ref: str) -> str | None:
        """A published registration is "active" (the store counts active or unknown records);
        another status is kept as EPREL writes it, so it is not counted, and named."""
        status = _text(record.get("status"))
        if status is None or status.upper() == "PUBLISHED":
            return "active" if status else None
        self.count(f"status/{status}")
        self.logger.warning("eprel: %s: status %r is not PUBLISHED: not counted", ref, status)
        return status

    def _display_category(self, record: dict, model: str, measures: dict, ref: str) -> tuple[str, str]:
        inches = self.number(record.get("diagonalInch"), "diagonalInch", ref)
        if inches is None:
            cm = self.number(record.get("diagonalCm"), "diagonalCm", ref)
            inches = round(cm / 2.54, 1) if cm is not None else None
        if inches is None:
            self.missing("diagonalInch", ref)
        else:
            measures["screen_size_in"] = inches
        category, rule = classify(
            model, inches, measures.get("resolution_horizontal_px"), measures.get("resolution_vertical_px")
        )
        self.count(f"display_rule/{rule}")
        return category or "other", f"{GROUPS['electronicdisplays']}, rule {rule}"

    def _measures(self, record: dict, fields: tuple, ref: str) -> dict[str, float]:
        found = {}
        for field, measure, factor in fields:
            value = self.number(record.get(field), field, ref)
            if value is not None:
                found[measure] = value * factor
        return found

    def _ip(self, record: dict, ref: str) -> float | None:
        """The IP code's two digits as a number (IP54 → 54); None when absent or unreadable."""
        text = (_text(record.get("ingressProtectionRating")) or "").upper().removeprefix("IP")
        if not text:
            return None
        if len(text) == 2 and text.isdigit():
            return float(text)
        self.count("ip_rating/unreadable")
        self.logger.warning("eprel: %s: ingressProtectionRating %r is not an IP code", ref, text)
        return None

    def _flags(self, record: dict, displays: bool) -> tuple[list[str], list[str]]:
        if displays:
            return [], []
        receptacle = _text(record.get("chargerReceptacleType"))
        stated = {
            REPLACEABLE_BATTERY.name: _yes(record.get("batteryUserReplaceable")),
            USB_C.name: None if receptacle is None else receptacle.upper().replace("-", "_") == "USB_C",
            FOLDABLE.name: _yes(record.get("isFoldable")),
        }
        return [f for f, yes in stated.items() if yes], [f for f, yes in stated.items() if yes is None]

    def _day(self, record: dict, field: str, ref: str) -> str | None:
        """A day given as `[y, m, d]`, as ISO text, or by the `<field>TS` epoch (seconds or
        milliseconds, read on Brussels' clock)."""
        value, epoch = record.get(field), record.get(f"{field}TS")
        try:
            if isinstance(value, list) and len(value) >= 3 and all(isinstance(v, int) for v in value[:3]):
                return date(*value[:3]).isoformat()
            if isinstance(value, str) and value.strip():
                return date.fromisoformat(value.strip()[:10]).isoformat()
            if isinstance(epoch, (int, float)) and not isinstance(epoch, bool):
                seconds = epoch / 1000 if abs(epoch) > 1e11 else epoch
                return datetime.fromtimestamp(seconds, UTC).astimezone(BRUSSELS).date().isoformat()
        except (ValueError, OverflowError, OSError):
            pass
        if value not in (None, "", []) or epoch not in (None, ""):
            self.count(f"date/unreadable/{field}")
            self.logger.warning("eprel: %s: %s %r is not a day", ref, field, value if value is not None else epoch)
        return None
