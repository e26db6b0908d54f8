"""Full-size registry data whose shapes follow the real samples.

EPEAT: each generated product copies a real row of the July 2024 sample (its identifier lists,
names, tiers, scores, dates and Climate+ flags, so list lengths and value mixes are the real
ones), gets its own Id, and is registered in every one of 43 countries.
TCO: a replay bundle whose feed records and GTIN API certificates copy the real ones (names per
certificate, GTINs per certificate, dates, standard strings), with new certificate numbers and
valid new GTINs.
"""

import csv
import json
import uuid
import zipfile
from pathlib import Path

from openpyxl import Workbook

from crawlers.gtin import check_digit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests/fixtures/epeat/epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv"
TCO_SAMPLES = ROOT / "tests/fixtures/tco"
COUNTRIES = [
    "Argentina",
    "Australia",
    "Austria",
    "Belgium",
    "Brazil",
    "Canada",
    "Chile",
    "China",
    "Czechia",
    "Denmark",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hong Kong",
    "Hungary",
    "India",
    "Ireland",
    "Israel",
    "Italy",
    "Japan",
    "Korea, Republic of",
    "Luxembourg",
    "Malaysia",
    "Mexico",
    "Netherlands",
    "New Zealand",
    "Norway",
    "Poland",
    "Portugal",
    "Singapore",
    "Slovakia",
    "South Africa",
    "Spain",
    "Sweden",
    "Switzerland",
    "Taiwan",
    "Thailand",
    "Turkey",
    "United Arab Emirates",
    "United Kingdom",
    "United States",
    "Viet Nam",
]


def epeat_export(path: Path, rows: int = 250_000) -> Path:
    """Write an .xlsx export of `rows` product × country rows (products = rows / 43)."""
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        templates = list(reader)
    country_at = header.index("Registered In")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    sheet.append(header)
    written, product = 0, 0
    while written < rows:
        template = list(templates[product % len(templates)])
        template[0] = uuid.UUID(int=product).hex
        template[1] = f"{template[1]} #{product // len(templates)}"
        for country in COUNTRIES[: min(len(COUNTRIES), rows - written)]:
            template[country_at] = country
            sheet.append(template)
            written += 1
        product += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def eprel_export(path: Path, phones: int = 2_400, displays: int = 12_600) -> Path:
    """Write a ZIP export (as EPREL's bulk export is described: JSON in a ZIP) of `phones`
    smartphone and `displays` display registrations, copies of the demo's records (the real phone
    values, the reconstructed displays) under new registration numbers and model names."""
    from datetime import date

    from crawlers.snapshots.make_bundle import eprel_displays, eprel_phones

    samples = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
    templates = {
        "phones": eprel_phones(samples, date(2025, 7, 15)),
        "displays": eprel_displays(samples, date(2026, 8, 7)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as export:
        number = 1_000_000
        for group, count in (("phones", phones), ("displays", displays)):
            records = []
            for n in range(count):
                template = templates[group][n % len(templates[group])]
                number += 1
                model = f"{template['modelIdentifier']}-{n // len(templates[group])}"
                records.append({**template, "eprelRegistrationNumber": str(number), "modelIdentifier": model})
            export.writestr(f"{group}.json", json.dumps(records))
    return path


def tco_bundle(directory: Path, feed_records: int = 20_000, gtins: int = 100_000, pages: int = 400) -> Path:
    """Write a TCO replay bundle: the feed and the paged GTIN API (Displays)."""
    feed_sample = json.loads((TCO_SAMPLES / "product-finder-app_items-get_compacted_2026-08-07.json").read_text())[
        "records"
    ]
    products = json.loads((TCO_SAMPLES / "gtin-api_generic-gtin_displays_products.json").read_text())
    bodies = directory / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    feed = []
    for n in range(feed_records):
        r = feed_sample[n % len(feed_sample)]
        cert = f"{r['certificationNumber']}{n // len(feed_sample):03d}"
        feed.append(
            {
                "brand": r["brand"],
                "name": f"{r['productNames'][0]} {n // len(feed_sample)}",
                "cert_no": cert,
                "cert_date": r["certifiedSince"],
                "cert_expiry_date": r["expiresAt"][:10],
                "generation": r["standardVersion"],
                "category": r["productCategories"][0],
                "idkey": f"{cert}{n}",
                "search": "1",
            }
        )
    (bodies / "feed.json").write_text(json.dumps(feed))
    records, copy = [], 0
    while len(records) < gtins:  # copy the sample certificate by certificate, with new numbers
        for product in products:
            info = dict(
                product["certificationInfo"], certificateId=f"{product['certificationInfo']['certificateId']}{copy:04d}"
            )
            body = f"{40000000000 + len(records):012d}"
            records.append(
                {
                    **product,
                    "certificationInfo": info,
                    "gtin": f"0{body}{check_digit(body)}",
                    "name": ", ".join(f"{name.strip()}-{copy}" for name in product["name"].split(",")),
                }
            )
            if len(records) == gtins:
                break
        copy += 1
    size = -(-gtins // pages)
    json_headers = {"Content-Type": ["application/json"]}
    index = [
        {
            "method": "GET",
            "url": "https://industry.tcocertified.com/product-finder-app/items-get.php",
            "status": 200,
            "headers": json_headers,
            "body": "bodies/feed.json",
        }
    ]
    (bodies / "token.json").write_text('{"token": "bench"}')
    index.append(
        {
            "method": "POST",
            "url": "https://api.tcocertified.com/token",
            "status": 200,
            "headers": json_headers,
            "body": "bodies/token.json",
        }
    )
    for page in range(1, pages + 1):
        envelope = {
            "data": {"products": records[(page - 1) * size : page * size]},
            "meta": {"page": page, "totalPages": pages},
        }
        (bodies / f"page-{page}.json").write_text(json.dumps(envelope))
        index.append(
            {
                "method": "POST",
                "url": f"https://api.tcocertified.com/generic/gtin?page={page}&product_type=Displays",
                "status": 200,
                "headers": json_headers,
                "body": f"bodies/page-{page}.json",
            }
        )
    (directory / "index.jsonl").write_text("".join(json.dumps(e) + "\n" for e in index))
    (directory / "settings.json").write_text(json.dumps({"TCO_PRODUCT_TYPES": ["Displays"]}))
    return directory


def offers_bundle(directory: Path, pages: int = 5_000, shops: int = 10) -> Path:
    """Write an offers replay bundle: `shops` shops, each a sitemap of product pages built
    around the real otto.de JSON-LD block (image list, relative offer URL, Brand object), with
    new names, valid GTIN-13s, prices and conditions; every fifth page in microdata instead."""
    block = json.loads((ROOT / "tests/fixtures/offers/otto-de_fairphone-4_2022-05-31_jsonld_Product.json").read_text())
    bodies = directory / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    html_headers, xml_headers = {"Content-Type": ["text/html; charset=utf-8"]}, {"Content-Type": ["application/xml"]}
    index, settings = [], []
    conditions = [
        "https://schema.org/NewCondition",
        "https://schema.org/RefurbishedCondition",
        "http://schema.org/UsedCondition",
    ]
    for shop in range(shops):
        base = f"https://shop-{shop}.bench.example"
        urls = []
        for n in range(shop, pages, shops):
            url = f"{base}/p/device-{n}"
            body12 = f"{425085100000 + n:012d}"
            name = f"Fairphone Fairphone {n % 7 + 3} Bundle {n}"
            price = f"{199 + n % 800},{n % 100:02d}"
            if n % 5:
                product = {
                    **block,
                    "name": name,
                    "gtin13": f"{body12}{check_digit(body12)}",
                    "sku": f"SKU{n}",
                    "offers": {
                        **block["offers"],
                        "url": f"/p/device-{n}",
                        "price": price,
                        "itemCondition": conditions[n % 3],
                    },
                }
                content = (
                    f'<!DOCTYPE html><html><head><script type="application/ld+json">{json.dumps(product)}</script>'
                    f"</head><body><h1>{name}</h1></body></html>"
                )
            else:
                content = (
                    '<!DOCTYPE html><html><body><div itemscope itemtype="https://schema.org/Product">'
                    f'<h1 itemprop="name">{name}</h1><meta itemprop="gtin13" content="{body12}{check_digit(body12)}">'
                    '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
                    f'<meta itemprop="price" content="{price}"><meta itemprop="priceCurrency" content="EUR">'
                    '<link itemprop="availability" href="https://schema.org/InStock"></div></div></body></html>'
                )
            (bodies / f"page-{n}.html").write_text(content)
            index.append(
                {"method": "GET", "url": url, "status": 200, "headers": html_headers, "body": f"bodies/page-{n}.html"}
            )
            urls.append(url)
        entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
        (bodies / f"sitemap-{shop}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        )
        index.append(
            {
                "method": "GET",
                "url": f"{base}/sitemap.xml",
                "status": 200,
                "headers": xml_headers,
                "body": f"bodies/sitemap-{shop}.xml",
            }
        )
        settings.append(
            {
                "key": f"shop-{shop}",
                "name": f"Bench shop {shop}",
                "country": "BE",
                "kind": "reseller",
                "sitemaps": [f"{base}/sitemap.xml"],
                "product_pages": "/p/",
                "category": "smartphone",
            }
        )
    (directory / "index.jsonl").write_text("".join(json.dumps(e) + "\n" for e in index))
    (directory / "settings.json").write_text(json.dumps({"OFFERS_SHOPS": settings}))
    return directory
