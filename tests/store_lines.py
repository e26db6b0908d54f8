"""Run-file lines for store tests: a label record (line), an offer (offer_line), a run written
from them (run_with), and the crawl counts a load takes."""

import json

from store.load import start_run

COUNTS = {"items": 0, "invalid": 0, "errors": 0}


def offer_run(db, lines):
    """An offers run written from offer_line()s: (run id, run file)."""
    run_id, path = start_run(db, "offers", "test", "offer")
    with path.open("a") as run_file:
        run_file.write("".join(json.dumps({**entry, "source": "offers", "run_id": run_id}) + "\n" for entry in lines))
    return run_id, path


def line(key, **changes):
    base = {
        "source": "tco",
        "run_id": 0,
        "record_key": key,
        "label": "TCO Certified",
        "level": "10",
        "level_rank": 10,
        "brand": "Acer",
        "brand_normalised": "Acer",
        "model": key,
        "model_key": key.lower(),
        "category": "display",
        "category_raw": "Displays",
        "certificate_id": "C" + key,
        "valid_from": "2025-01-01",
        "valid_until": "2027-01-01",
        "status": None,
        "gtins": [],
        "url": None,
        "market": None,
    }
    return {**base, **changes}


def run_with(db, lines, source="tco"):
    run_id, path = start_run(db, source, "test")
    with path.open("a") as run_file:  # after the header line start_run wrote
        run_file.write("".join(json.dumps({**entry, "run_id": run_id, "source": source}) + "\n" for entry in lines))
    return run_id, path


def offer_line(key, **changes):
    base = {
        "record_key": key,
        "shop": "Shop",
        "shop_country": "BE",
        "shop_kind": "reseller",
        "name": key,
        "brand": None,
        "brand_normalised": None,
        "model": key,
        "model_key": key.lower(),
        "category": "display",
        "gtin": None,
        "mpn": None,
        "sku": None,
        "price": "199.00",
        "price_high": None,
        "currency": "EUR",
        "availability": "in_stock",
        "condition": "new",
        "url": "https://shop.example/" + key,
        "seller": None,
        "syntax": "json-ld",
    }
    return {**base, **changes}
