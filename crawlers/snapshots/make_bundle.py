"""Rebuild the demo replay bundle, three dated recordings, from the real samples kept as test fixtures.

Usage: python crawlers/snapshots/make_bundle.py tests/fixtures
What is real, what is reconstructed and what changes between the recordings: crawlers/snapshots/README.md.
"""

import csv
import io
import json
import re
import shutil
import sys
import zipfile
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
# The days the recordings describe: the real EPEAT export's month, a year later, the real TCO capture's day.
CAPTURES = (date(2024, 7, 11), date(2025, 7, 15), date(2026, 8, 7))
NEWEST = CAPTURES[-1]
JSON = {"Content-Type": ["application/json"]}
HTML = {"Content-Type": ["text/html; charset=utf-8"]}
XLSX = {"Content-Type": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]}


class Capture:
    """One recording: its folder (named by its day) and the `Date` every answer carries."""

    def __init__(self, day: date):
        self.day = day
        self.folder = HERE / day.isoformat()
        self.date = format_datetime(datetime(day.year, day.month, day.day, 9, tzinfo=UTC), usegmt=True)

    def entry(self, method: str, url: str, body: str, headers: dict) -> dict:
        return {"method": method, "url": url, "status": 200, "headers": {**headers, "Date": [self.date]}, "body": body}

    def write(self, relative: str, content: str | bytes) -> str:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return relative


def _expiry_then(expires: str, day: date) -> str:
    """A certificate's end date as a capture of `day` would show it: the newest capture's date
    moved back by whole years to the first one after `day` (TCO extends certificates yearly)."""
    end = date.fromisoformat(expires[:10])
    while end.replace(year=end.year - 1) > day:
        end = end.replace(year=end.year - 1)
    return end.isoformat()


def tco(capture: Capture, samples: Path) -> tuple[list[dict], dict]:
    feed_url = "https://industry.tcocertified.com/product-finder-app/items-get.php"
    api = "https://api.tcocertified.com"
    compacted = json.loads((samples / "tco/product-finder-app_items-get_compacted_2026-08-07.json").read_text())
    feed = [
        {  # the compacted record mapped back to the feed's raw keys (tco.md §2.2)
            "brand": r["brand"],
            "name": r["productNames"][0],
            "cert_no": r["certificationNumber"],
            "cert_date": r["certifiedSince"],
            "cert_expiry_date": r["expiresAt"][:10],
            "generation": r["standardVersion"],
            "category": r["productCategories"][0],
            "idkey": r["officialProfileUrl"].split("product=", 1)[1],
            "search": "1",
        }
        for r in compacted["records"]
        if date.fromisoformat(r["certifiedSince"]) <= capture.day  # certified by the capture's day
    ]
    if capture.day != NEWEST:
        feed = [{**r, "cert_expiry_date": _expiry_then(r["cert_expiry_date"], capture.day)} for r in feed]
    write, entry = capture.write, capture.entry
    entries = [
        entry(
            "GET", feed_url, write("bodies/tco/items-get.json", json.dumps(feed, ensure_ascii=False, indent=1)), JSON
        ),
        entry("POST", f"{api}/token", write("bodies/tco/token.json", json.dumps({"token": "REDACTED"})), JSON),
    ]
    products = json.loads((samples / "tco/gtin-api_generic-gtin_displays_products.json").read_text())
    pages = [products[i : i + 100] for i in range(0, len(products), 100)]
    for number, page in enumerate(pages, 1):
        envelope = {"data": {"products": page}, "meta": {"page": number, "totalPages": len(pages)}}
        body = write(f"bodies/tco/gtin-displays-page-{number}.json", json.dumps(envelope, ensure_ascii=False, indent=1))
        entries.append(entry("POST", f"{api}/generic/gtin?page={number}&product_type=Displays", body, JSON))
    return entries, {"TCO_PRODUCT_TYPES": ["Displays"]}


def rows_to_xlsx(rows: list[list[str]], day: date) -> bytes:
    """Rows (the export sample, a CSV copy of the registry's .xlsx) back into an .xlsx, cells as
    text, dated `day` (openpyxl stamps the time of saving), so a rebuild writes the same bytes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    for row in rows:
        sheet.append(row)
    saved, dated = io.BytesIO(), io.BytesIO()
    book.save(saved)
    stamp = f"{day.isoformat()}T09:00:00Z"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(dated, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            target.writestr(
                zipfile.ZipInfo(name, (day.year, day.month, day.day, 9, 0, 0)), content, zipfile.ZIP_DEFLATED
            )
    return dated.getvalue()


# Constructed changes of the EPEAT export after the real July 2024 one (said in the README):
# from the day, Belgian registrations copied from the Indian ones of these manufacturers
# registered since 2023; in the newest capture, registrations from before 2021 archived.
BELGIUM_FROM = {date(2025, 7, 15): {"HP", "DELL"}, NEWEST: {"HP", "DELL", "Lenovo", "ASUSTeK Computer Inc."}}
ARCHIVED_ON = "3/31/2026 00:00:00"


def epeat_rows(sample: Path, day: date) -> list[list[str]]:
    with sample.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    column = {name: i for i, name in enumerate(header)}

    def registered(row: list[str]) -> date:
        return datetime.strptime(row[column["Registered On"]], "%m/%d/%Y %H:%M:%S").date()

    belgian = BELGIUM_FROM.get(day, set())
    rows += [
        [*row[: column["Registered In"]], "Belgium", *row[column["Registered In"] + 1 :]]
        for row in rows
        if row[column["Manufacturer"]] in belgian and registered(row) >= date(2023, 1, 1)
    ]
    if day == NEWEST:
        for row in rows:
            if registered(row) < date(2021, 1, 1):
                row[column["Status"]], row[column["Archived On"]] = "Archived", ARCHIVED_ON
    return [header, *rows]


def epeat(capture: Capture, samples: Path) -> tuple[list[dict], dict]:
    home, page = "https://www.epeat.net/", "https://www.epeat.net/search-computers-and-displays"
    export = "https://www.epeat.net/search-computers-and-displays/export?format=xlsx"
    home_html = (
        "<!DOCTYPE html><html><head><title>EPEAT Registry</title></head><body>"
        '<div id="search-tabs"><ul><li><a href="/search-computers-and-displays"><span>COMPUTERS &amp; DISPLAYS</span></a></li>'
        "</ul></div></body></html>"
    )
    page_html = (
        "<!DOCTYPE html><html><head><title>Computers &amp; Displays Searching | EPEAT Registry</title></head><body>"
        '<a class="link-icon -export" href="/search-computers-and-displays/export?format=xlsx">Export</a></body></html>'
    )
    sample = samples / "epeat/epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv"
    xlsx = rows_to_xlsx(epeat_rows(sample, capture.day), capture.day)
    write, entry = capture.write, capture.entry
    return [
        entry("GET", home, write("bodies/epeat/home.html", home_html), HTML),
        entry("GET", page, write("bodies/epeat/search-computers-and-displays.html", page_html), HTML),
        entry("GET", export, write("bodies/epeat/computers-and-displays.xlsx", xlsx), XLSX),
    ], {}


ENERGYSTAR = "https://data.energystar.gov"
ENERGYSTAR_PAGE_SIZE = 8  # small, so the demo's 20 computers take three pages, the last one short
ENERGYSTAR_FIRST = date(2025, 7, 15)  # not in the oldest recording: none of the sample rows was certified by then


def energystar(capture: Capture, samples: Path) -> tuple[list[dict], dict]:
    """The catalogue (constructed: DCAT as Socrata publishes it) and the datasets' pages (real
    rows), rows certified after the capture's day left out, except in the newest recording,
    whose samples were captured in September 2026."""
    if capture.day < ENERGYSTAR_FIRST:
        return [], {}
    real = samples / "energystar"
    datasets = {
        "rxdj-2c88": (
            "ENERGY STAR Certified Computers V9.0",
            json.loads((real / "computers_rxdj-2c88_sample.json").read_text())
            + json.loads((real / "computers_rxdj-2c88_samsung_rows.json").read_text()),
        ),
        "qbg3-d468": (
            "ENERGY STAR Certified Displays",
            json.loads((real / "displays_qbg3-d468_sample.json").read_text()),
        ),
    }
    catalogue = {
        "@type": "dcat:Catalog",
        "dataset": [
            {
                "@type": "dcat:Dataset",
                "title": title,
                "identifier": f"{ENERGYSTAR}/api/views/{dataset_id}",
                "landingPage": f"{ENERGYSTAR}/d/{dataset_id}",
            }
            for dataset_id, (title, _) in datasets.items()
        ],
    }
    write, entry = capture.write, capture.entry
    entries = [
        entry(
            "GET",
            f"{ENERGYSTAR}/data.json",
            write("bodies/energystar/data.json", json.dumps(catalogue, indent=1)),
            JSON,
        )
    ]
    for dataset_id, (_, rows) in datasets.items():
        if capture.day != NEWEST:
            rows = [r for r in rows if date.fromisoformat(r["date_certified"][:10]) <= capture.day]
        for offset in range(0, len(rows) + 1, ENERGYSTAR_PAGE_SIZE):
            page = rows[offset : offset + ENERGYSTAR_PAGE_SIZE]
            url = f"{ENERGYSTAR}/resource/{dataset_id}.json?$limit={ENERGYSTAR_PAGE_SIZE}&$offset={offset}&$order=:id"
            body = write(f"bodies/energystar/{dataset_id}-{offset}.json", json.dumps(page, indent=1))
            entries.append(entry("GET", url, body, JSON))
            if len(page) < ENERGYSTAR_PAGE_SIZE:
                break
    return entries, {"ENERGYSTAR_PAGE_SIZE": ENERGYSTAR_PAGE_SIZE}


EPREL = "https://eprel.ec.europa.eu/api"
EPREL_PAGE_SIZE = 4  # small, so the demo's phones take three pages
EPREL_FIRST = date(2025, 7, 15)  # the phone label applies from 2025-06-20: the two newer recordings
ZIP = {"Content-Type": ["application/zip"]}
# Open Products Facts column → EPREL field (openfoodfacts/data-imports databases/eprel/README.md).
OPF_FIELDS = {
    "eprel_id": "eprelRegistrationNumber",
    "brands": "supplierOrTrademark",
    "manufacturer:reference_number": "modelIdentifier",
    "device_type": "deviceType",
    "energy_efficiency_class:eu": "energyClass",
    "repairability_class:eu": "repairabilityClass",
    "repairability_index:eu": "repairabilityIndex",
    "repeated_free_fall_reliability_class:eu": "repeatedFreeFallReliabilityClass",
    "consumer_electronics:falls_without_defect": "fallsWithoutDefect",
    "battery_endurance_in_cycles:eu": "batteryEnduranceInCycles",
    "battery_autonomy_per_cycle:eu:hours_min": "batteryEndurancePerCycle",
    "consumer_electronics:battery_capacity:mah": "ratedBatteryCapacity",
    "consumer_electronics:battery_user_replaceable": "batteryUserReplaceable",
    "consumer_electronics:min_years_software_updates": "minYearsSoftwareUpdates",
    "guarantee_duration:months": "guaranteeDuration",
    "ingress_protection_rating:ip": "ingressProtectionRating",
    "ingress_protection_rating:ip:solid": "ingressProtectionRatingSolid",
    "ingress_protection_rating:ip:water": "ingressProtectionRatingWater",
    "consumer_electronics:screen_scratch_resistance:mohs": "screenScratchResistance",
    "consumer_electronics:initial_operating_system": "operatingSystem",
    "consumer_electronics:is_foldable": "isFoldable",
    "consumer_electronics:charger_output_power:w": "chargerRequiredOutputPower",
    "consumer_electronics:charger_receptacle_type": "chargerReceptacleType",
    "consumer_electronics:repair_instructions:url": "webLinkRepairInstructions",
    "consumer_electronics:spare_parts_info:url": "webLinkInfoSparePartsAvailability",
}
# Placeholder personal data: the spider must never store a registration's contactDetails.
CONTACT = {"contactName": "Contact Person (placeholder)", "email": "contact.person@example.invalid"}


def _typed(value: str):
    """A CSV cell as the JSON API would type it (reconstructed): booleans, numbers, text."""
    if value in ("True", "False"):
        return value == "True"
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value or None


def _epoch_ms(day: date) -> int:
    """Midnight of the day in Brussels (UTC+1 or +2; +2 assumed from April to October) in ms."""
    offset = 2 if 4 <= day.month <= 10 else 1
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() - offset * 3600) * 1000


def eprel_phones(samples: Path, day: date) -> list[dict]:
    """The 10 real phone registrations under EPREL's field names, with the constructed changes of
    crawlers/snapshots/README.md: HMD TA-1688 re-registered as version 2 in 2026, DORO DSC-0540
    off the market since 2026-03-31, HAMMER Construction withdrawn in 2026."""
    with (samples / "eprel/smartphones_sample_opf-field-names.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    records = []
    for number, row in enumerate(rows):
        record = {field: _typed(row[column]) for column, field in OPF_FIELDS.items()}
        record["eprelRegistrationNumber"] = row["eprel_id"]
        record["modelIdentifier"] = row["manufacturer:reference_number"]
        if number == 1:  # one record with every number typed as text, as some exports do
            record = {
                k: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in record.items()
            }
        start = date.fromisoformat(row["release_date"])
        dates = {"onMarketStartDateTS": _epoch_ms(start)}
        if number % 3:  # two in three carry the array form too; the rest only the epoch
            dates["onMarketStartDate"] = [start.year, start.month, start.day]
        common = {
            "productGroup": "smartphonestablets20231669",
            "implementingAct": "EU_2023_1669",
            "status": "PUBLISHED",
            "versionNumber": 1,
            "lastVersion": True,
            "blocked": False,
            "onMarketEndDate": None,
            "contactDetails": CONTACT,
        }
        record = {**common, **dates, **record}
        if day == NEWEST and row["brands"] == "HMD":
            records.append({**record, "lastVersion": False, "guaranteeDuration": 24, "energyClass": "B"})
            record = {**record, "versionNumber": 2}
        if day == NEWEST and row["brands"] == "DORO":
            record = {**record, "onMarketEndDate": [2026, 3, 31], "onMarketEndDateTS": _epoch_ms(date(2026, 3, 31))}
        if day == NEWEST and row["brands"] == "HAMMER":
            record = {**record, "status": "WITHDRAWN"}
        records.append(record)
    return records


def eprel_displays(samples: Path, day: date) -> list[dict]:
    """The reconstructed displays (tests/fixtures/eprel/PROVENANCE.md) on the market by `day`,
    numbered 9000001… (constructed registration numbers)."""
    displays = json.loads((samples / "eprel/displays_reconstructed.json").read_text())
    records = []
    for number, display in enumerate(displays, 9000001):
        start = display.get("onMarketStartDate") or display.get("onMarketStartDateTS")
        started = (
            date(*start)
            if isinstance(start, list)
            else date.fromisoformat(start)
            if isinstance(start, str)
            else datetime.fromtimestamp(start / 1000, UTC).date()
        )
        if started > day:
            continue
        records.append(
            {
                "eprelRegistrationNumber": str(number),
                "productGroup": "ELECTRONIC_DISPLAY",
                "status": "PUBLISHED",
                "versionNumber": 1,
                "lastVersion": True,
                "contactDetails": CONTACT,
                **display,
            }
        )
    return records


def eprel(capture: Capture, samples: Path) -> tuple[list[dict], dict]:
    """Phones paged (their export answered 404), displays as a ZIP export: both routes."""
    if capture.day < EPREL_FIRST:
        return [], {}
    write, entry = capture.write, capture.entry
    phones = "smartphonestablets20231669"
    refused = entry(
        "GET",
        f"{EPREL}/exportProducts/{phones}",
        write("bodies/eprel/export-refused.json", '{"message":"Not Found"}'),
        JSON,
    )
    entries = [{**refused, "status": 404}]
    hits = eprel_phones(samples, capture.day)
    for page in range(1, len(hits) // EPREL_PAGE_SIZE + 2):
        found = hits[(page - 1) * EPREL_PAGE_SIZE : page * EPREL_PAGE_SIZE]
        envelope = {"size": len(hits), "offset": (page - 1) * EPREL_PAGE_SIZE, "hits": found}
        body = write(f"bodies/eprel/{phones}-page-{page}.json", json.dumps(envelope, indent=1))
        entries.append(entry("GET", f"{EPREL}/products/{phones}?_page={page}&_limit={EPREL_PAGE_SIZE}", body, JSON))
        if page * EPREL_PAGE_SIZE >= len(hits):
            break
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        info = zipfile.ZipInfo(
            "electronicdisplays.json", date_time=(capture.day.year, capture.day.month, capture.day.day, 9, 0, 0)
        )
        bundle.writestr(info, json.dumps(eprel_displays(samples, capture.day), indent=1), zipfile.ZIP_DEFLATED)
    body = write("bodies/eprel/electronicdisplays-export.zip", archive.getvalue())
    entries.append(entry("GET", f"{EPREL}/exportProducts/electronicdisplays", body, ZIP))
    return entries, {"EPREL_PAGE_SIZE": EPREL_PAGE_SIZE}


XML = {"Content-Type": ["application/xml"]}
OTTO = "https://www.otto.de"
REFURB = "https://demo-refurb.example"


def page(title: str, head: str = "", body: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


def jsonld(block: str) -> str:
    return f'<script type="application/ld+json">{block}</script>'


def sitemap(urls: list[str], index: bool = False) -> str:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    entries = "".join(f"<{item}><loc>{url}</loc></{item}>" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{tag}>'


def offers(capture: Capture, samples: Path) -> tuple[list[dict], dict]:
    """Two shops: otto.de pages around the real JSON-LD blocks, and a constructed refurbisher
    whose pages exercise each structured-data form and match the TCO and EPEAT demo data."""
    real = samples / "offers"
    fairphone = (
        OTTO
        + "/p/fairphone-fairphone-4-bundle-mit-recable-usb-c-kabel-plus-charger-smartphone-6-3-zoll-48-mp-kamera-S0S5O0LN/"
    )
    sony = (
        OTTO
        + "/p/sony-xperia-1-iii-5g-256gb-smartphone-16-51-cm-6-5-zoll-256-gb-speicherplatz-12-mp-kamera-C1397609879/"
    )
    otto_pages = {
        fairphone: page(
            "Fairphone 4 | OTTO",
            jsonld((real / "otto-de_fairphone-4_2022-05-31_jsonld_Product.json").read_text().strip())
            + jsonld((real / "otto-de_fairphone-4_2022-05-31_jsonld_BreadcrumbList.json").read_text().strip()),
            (real / "otto-de_fairphone-4_2022-05-31_sustainability-sheet.html").read_text(),
        ),
        sony: page(
            "Sony Xperia 1 III | OTTO",
            jsonld((real / "otto-de_sony-xperia-1-iii_2022-05-31_jsonld_Product.json").read_text().strip()),
        ),
    }
    refurb_pages = {
        # microdata, GTIN-12 of a TCO Certified display (GTIN API sample), decimal comma
        REFURB + "/p/samsung-s22d400gac": page(
            "Samsung S22D400GAC",
            body=(
                '<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Samsung S22D400GAC 22&quot; monitor</h1>'
                '<span itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">Samsung</span></span>'
                '<meta itemprop="gtin12" content="887276903125">'
                '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price" content="119,00">119,00 €</span>'
                '<meta itemprop="priceCurrency" content="EUR"><link itemprop="availability" href="https://schema.org/InStock">'
                '<link itemprop="itemCondition" href="https://schema.org/RefurbishedCondition"></div></div>'
            ),
        ),
        # JSON-LD @graph, AggregateOffer, no GTIN: matched by brand and model key (TCO Dell P2424HT)
        REFURB + "/p/dell-p2424ht": page(
            "Dell P2424HT",
            jsonld(
                json.dumps(
                    {
                        "@context": "https://schema.org",
                        "@graph": [
                            {"@type": "WebPage", "name": "Dell P2424HT"},
                            {
                                "@type": "Product",
                                "name": 'Dell P2424HT 24" touch monitor &amp; stand',
                                "brand": "Dell",
                                "mpn": "DELL-P2424HT",
                                "offers": {
                                    "@type": "AggregateOffer",
                                    "lowPrice": 289,
                                    "highPrice": "349.00",
                                    "priceCurrency": "EUR",
                                    "offerCount": 3,
                                    "availability": "InStock",
                                },
                            },
                        ],
                    }
                )
            ),
        ),
        # RDFa, an EPEAT Gold notebook matched by brand and model key
        REFURB + "/p/hp-14-laptop": page(
            "HP 14 Laptop PC",
            body=(
                '<div vocab="https://schema.org/" typeof="Product"><h1 property="name">HP 14 Laptop PC - refurbished, 8 GB</h1>'
                '<div property="brand" typeof="Brand"><span property="name">HP</span></div>'
                '<div property="offers" typeof="Offer"><span property="price" content="1.299,00">1.299,00</span>'
                '<meta property="priceCurrency" content="EUR"><link property="availability" href="https://schema.org/LimitedAvailability">'
                '<link property="itemCondition" href="https://schema.org/RefurbishedCondition"></div></div>'
            ),
        ),
        # JSON-LD, two offers (new and used, two sellers), a GTIN with a wrong check digit
        REFURB + "/p/lenovo-thinkbook-14-gen-5": page(
            "Lenovo ThinkBook 14 Gen 5",
            jsonld(
                json.dumps(
                    {
                        "@context": "http://schema.org/",
                        "@type": ["Product", "IndividualProduct"],
                        "name": "Lenovo ThinkBook 14 Gen 5 IRL",
                        "brand": {"@type": "Brand", "name": "LENOVO"},
                        "gtin13": "4250851617897",
                        "sku": "TB14G5",
                        "offers": [
                            {
                                "@type": "Offer",
                                "price": "899.00",
                                "priceCurrency": "EUR",
                                "itemCondition": "NewCondition",
                                "availability": "http://schema.org/PreOrder",
                                "seller": {"@type": "Organization", "name": "Partner A"},
                            },
                            {
                                "@type": "Offer",
                                "price": 649.5,
                                "priceCurrency": "EUR",
                                "itemCondition": "UsedCondition",
                                "availability": "OutOfStock",
                                "seller": {"@type": "Organization", "name": "Partner B"},
                            },
                        ],
                    }
                )
            ),
        ),
        # JSON-LD whose description (an HTML fragment) links the EPREL label of HMD TA-1688 (a real
        # registration); the name alone matches no record
        REFURB + "/p/hmd-smartphone": page(
            "HMD smartphone",
            jsonld(
                json.dumps(
                    {
                        "@context": "https://schema.org",
                        "@type": "Product",
                        "name": "HMD smartphone 6.6 inch, 128 GB",
                        "brand": "HMD",
                        "description": "<p>Refurbished, 24 months warranty.</p><p>EU energy label: "
                        '<a href="https://eprel.ec.europa.eu/qr/2238053"><img src="/img/label.png" alt="A"></a></p>',
                        "offers": {
                            "@type": "Offer",
                            "price": "139.00",
                            "priceCurrency": "EUR",
                            "availability": "InStock",
                        },
                    }
                )
            ),
        ),
        # JSON-LD with a schema.org Certification node issued by EPREL (OPPO CPH2711, a real registration)
        REFURB + "/p/oppo-smartphone": page(
            "OPPO smartphone",
            jsonld(
                json.dumps(
                    {
                        "@context": "https://schema.org",
                        "@type": "Product",
                        "name": "OPPO smartphone 256 GB",
                        "brand": {"@type": "Brand", "name": "OPPO"},
                        "hasCertification": {
                            "@type": "Certification",
                            "name": "EU energy label",
                            "issuedBy": {"@type": "Organization", "name": "EPREL"},
                            "certificationIdentification": "2245892",
                        },
                        "offers": {
                            "@type": "Offer",
                            "price": "229.00",
                            "priceCurrency": "EUR",
                            "availability": "InStock",
                        },
                    }
                )
            ),
        ),
        # rejected: a price without a currency
        REFURB + "/p/no-currency": page(
            "Monitor",
            jsonld(
                json.dumps(
                    {
                        "@context": "https://schema.org",
                        "@type": "Product",
                        "name": "Unbranded monitor",
                        "offers": {"price": "99.00"},
                    }
                )
            ),
        ),
        # rejected: a category page, no structured data
        REFURB + "/p/laptops": page("Laptops", body="<h1>Laptops</h1><ul><li>HP 14 Laptop PC</li></ul>"),
    }
    write, entry = capture.write, capture.entry
    entries = [
        entry("GET", OTTO + "/sitemap.xml", write("bodies/offers/otto-sitemap.xml", sitemap(list(otto_pages))), XML),
        entry(
            "GET",
            REFURB + "/sitemap.xml",
            write("bodies/offers/refurb-sitemap-index.xml", sitemap([REFURB + "/sitemap-products.xml"], index=True)),
            XML,
        ),
        entry(
            "GET",
            REFURB + "/sitemap-products.xml",
            write("bodies/offers/refurb-sitemap-products.xml", sitemap(list(refurb_pages))),
            XML,
        ),
    ]
    for number, (url, content) in enumerate([*otto_pages.items(), *refurb_pages.items()], 1):
        entries.append(entry("GET", url, write(f"bodies/offers/page-{number}.html", content), HTML))
    shops = [
        {
            "key": "otto-de",
            "name": "OTTO (pages saved 2022-05-31)",
            "country": "DE",
            "kind": "reseller",
            "sitemaps": [OTTO + "/sitemap.xml"],
            "product_pages": "^https://www\\.otto\\.de/p/",
            "category": "smartphone",
            "vat": "included",  # a German consumer shop: prices with VAT (Preisangabenverordnung)
        },
        {
            "key": "demo-refurb",
            "name": "Demo refurbisher (constructed pages)",
            "country": "BE",
            "kind": "refurbisher",
            "sitemaps": [REFURB + "/sitemap.xml"],
            "product_pages": "/p/",
            "condition": "refurbished",
            "vat": "included",
        },
    ]
    return entries, {"OFFERS_SHOPS": shops}


def main(samples: Path) -> None:
    for day in CAPTURES:
        capture = Capture(day)
        shutil.rmtree(capture.folder, ignore_errors=True)
        index, settings = [], {}
        for build in (tco, epeat, energystar, eprel, offers):
            entries, source_settings = build(capture, samples)
            index += entries
            settings.update(source_settings)
        (capture.folder / "index.jsonl").write_text("".join(json.dumps(e) + "\n" for e in index))
        (capture.folder / "settings.json").write_text(json.dumps(settings, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
