"""Rebuild the demo replay bundle from the real samples in ../shared/registry-samples.

Usage: python crawlers/snapshots/make_bundle.py ../shared/registry-samples
What is real and what is reconstructed: crawlers/snapshots/README.md.
"""

import csv
import json
import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
JSON = {"Content-Type": ["application/json"]}
HTML = {"Content-Type": ["text/html; charset=utf-8"]}
XLSX = {"Content-Type": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]}


def entry(method: str, url: str, body: str, headers: dict) -> dict:
    return {"method": method, "url": url, "status": 200, "headers": headers, "body": body}


def write(relative: str, content: str | bytes) -> str:
    path = HERE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return relative


def tco(samples: Path) -> tuple[list[dict], dict]:
    feed_url = "https://industry.tcocertified.com/product-finder-app/items-get.php"
    api = "https://api.tcocertified.com"
    compacted = json.loads((samples / "tco/product-finder-app_items-get_compacted_2026-08-07.json").read_text())
    feed = [{  # the compacted record mapped back to the feed's raw keys (tco.md §2.2)
        "brand": r["brand"], "name": r["productNames"][0], "cert_no": r["certificationNumber"],
        "cert_date": r["certifiedSince"], "cert_expiry_date": r["expiresAt"][:10], "generation": r["standardVersion"],
        "category": r["productCategories"][0], "idkey": r["officialProfileUrl"].split("product=", 1)[1], "search": "1",
    } for r in compacted["records"]]
    entries = [
        entry("GET", feed_url, write("bodies/tco/items-get.json", json.dumps(feed, ensure_ascii=False, indent=1)), JSON),
        entry("POST", f"{api}/token", write("bodies/tco/token.json", json.dumps({"token": "REDACTED"})), JSON),
    ]
    products = json.loads((samples / "tco/gtin-api_generic-gtin_displays_products.json").read_text())
    pages = [products[i:i + 100] for i in range(0, len(products), 100)]
    for number, page in enumerate(pages, 1):
        envelope = {"data": {"products": page}, "meta": {"page": number, "totalPages": len(pages)}}
        body = write(f"bodies/tco/gtin-displays-page-{number}.json", json.dumps(envelope, ensure_ascii=False, indent=1))
        entries.append(entry("POST", f"{api}/generic/gtin?page={number}&product_type=Displays", body, JSON))
    return entries, {"TCO_PRODUCT_TYPES": ["Displays"]}


def csv_to_xlsx(source: Path) -> bytes:
    """The export sample (a CSV copy of the registry's .xlsx) back into an .xlsx, cells as text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    with source.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    target = HERE / "bodies" / "epeat" / "export.xlsx.tmp"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    content = target.read_bytes()
    target.unlink()
    return content


def epeat(samples: Path) -> tuple[list[dict], dict]:
    home, page = "https://www.epeat.net/", "https://www.epeat.net/search-computers-and-displays"
    export = "https://www.epeat.net/search-computers-and-displays/export?format=xlsx"
    home_html = ('<!DOCTYPE html><html><head><title>EPEAT Registry</title></head><body>'
                 '<div id="search-tabs"><ul><li><a href="/search-computers-and-displays"><span>COMPUTERS &amp; DISPLAYS</span></a></li>'
                 '</ul></div></body></html>')
    page_html = ('<!DOCTYPE html><html><head><title>Computers &amp; Displays Searching | EPEAT Registry</title></head><body>'
                 '<a class="link-icon -export" href="/search-computers-and-displays/export?format=xlsx">Export</a></body></html>')
    xlsx = csv_to_xlsx(samples / "epeat/epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv")
    return [
        entry("GET", home, write("bodies/epeat/home.html", home_html), HTML),
        entry("GET", page, write("bodies/epeat/search-computers-and-displays.html", page_html), HTML),
        entry("GET", export, write("bodies/epeat/computers-and-displays.xlsx", xlsx), XLSX),
    ], {}


def main(samples: Path) -> None:
    index, settings = [], {}
    for build in (tco, epeat):
        entries, source_settings = build(samples)
        index += entries
        settings.update(source_settings)
    (HERE / "index.jsonl").write_text("".join(json.dumps(e) + "\n" for e in index))
    (HERE / "settings.json").write_text(json.dumps(settings, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
