"""Rebuild the TCO part of the demo replay bundle from the real samples in ../shared.

Usage: python crawlers/snapshots/make_tco_bundle.py ../shared/registry-samples/tco
What is real and what is reconstructed: crawlers/snapshots/README.md.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
FEED_URL = "https://industry.tcocertified.com/product-finder-app/items-get.php"
API_URL = "https://api.tcocertified.com"
PAGE_SIZE = 100
JSON_HEADERS = {"Content-Type": ["application/json"]}


def raw_feed_record(record: dict) -> dict:
    """Map the third party's compacted record back to the feed's raw keys (tco.md §2.2)."""
    return {
        "brand": record["brand"],
        "name": record["productNames"][0],
        "cert_no": record["certificationNumber"],
        "cert_date": record["certifiedSince"],
        "cert_expiry_date": record["expiresAt"][:10],
        "generation": record["standardVersion"],
        "category": record["productCategories"][0],
        "idkey": record["officialProfileUrl"].split("product=", 1)[1],
        "search": "1",
    }


def main(samples: Path) -> None:
    bodies = HERE / "bodies" / "tco"
    bodies.mkdir(parents=True, exist_ok=True)
    compacted = json.loads((samples / "product-finder-app_items-get_compacted_2026-08-07.json").read_text())
    feed = [raw_feed_record(r) for r in compacted["records"]]
    (bodies / "items-get.json").write_text(json.dumps(feed, ensure_ascii=False, indent=1))
    index = [{"method": "GET", "url": FEED_URL, "status": 200, "headers": JSON_HEADERS, "body": "bodies/tco/items-get.json"}]

    (bodies / "token.json").write_text(json.dumps({"token": "REDACTED"}))
    index.append({"method": "POST", "url": f"{API_URL}/token", "status": 200, "headers": JSON_HEADERS, "body": "bodies/tco/token.json"})
    products = json.loads((samples / "gtin-api_generic-gtin_displays_products.json").read_text())
    pages = [products[i:i + PAGE_SIZE] for i in range(0, len(products), PAGE_SIZE)]
    for number, page in enumerate(pages, 1):
        body = f"bodies/tco/gtin-displays-page-{number}.json"
        envelope = {"data": {"products": page}, "meta": {"page": number, "totalPages": len(pages)}}
        (HERE / body).write_text(json.dumps(envelope, ensure_ascii=False, indent=1))
        url = f"{API_URL}/generic/gtin?page={number}&product_type=Displays"
        index.append({"method": "POST", "url": url, "status": 200, "headers": JSON_HEADERS, "body": body})

    lines = [line for line in (HERE / "index.jsonl").read_text().splitlines() if '"bodies/tco/' not in line] \
        if (HERE / "index.jsonl").exists() else []
    lines += [json.dumps(entry) for entry in index]
    (HERE / "index.jsonl").write_text("\n".join(lines) + "\n")
    settings = json.loads((HERE / "settings.json").read_text()) if (HERE / "settings.json").exists() else {}
    settings["TCO_PRODUCT_TYPES"] = ["Displays"]
    (HERE / "settings.json").write_text(json.dumps(settings, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
