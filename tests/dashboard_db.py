"""A fixture database for the dashboard pages, with counts known by construction.

TCO Product Finder records (the feed's real field names) in two loaded runs and one failed run:
run 1 has A1, A2, B1, C1 and a hostile name; run 2 drops A2 and adds B2; run 3 failed.
Expiry dates are chosen around TODAY so the 6/12/24-month horizons each catch a known set.
"""

import json
from datetime import date
from pathlib import Path

from conftest import run_cli

from store.load import fail_run, start_run

TODAY = date(2026, 12, 1)
HOSTILE_MODEL = "<script>alert(1)</script> **bold**"
FORMULA_MODEL = '=HYPERLINK("http://evil.test","x")'


def record(brand: str, name: str, generation: str, expiry: str, cert: str) -> dict:
    return {
        "brand": brand,
        "name": name,
        "cert_no": cert,
        "cert_date": "2025-06-01",
        "cert_expiry_date": expiry,
        "generation": generation,
        "category": "Displays",
        "idkey": cert.lower(),
        "search": "1",
    }


A1 = record("Acer", "A1", "10", "2027-03-01", "CERT-A1")  # lost within 6 months of TODAY
A2 = record("Acer", "A2", "10", "2028-06-01", "CERT-A2")  # only in run 1
B1 = record("BenQ", "B1", "10", "2027-11-30", "CERT-B1")  # within 12 months
B2 = record("BenQ", "B2", "10", "2028-01-01", "CERT-B2")  # only in run 2; within 24 months
C1 = record("Dell", "C1", "9", "2027-01-15", "CERT-C1")  # generation 9; within 6 months
EVIL = record("Eizo", HOSTILE_MODEL, "10", "2029-01-01", "CERT-E1")  # beyond 24 months
FORMULA = record("Eizo", FORMULA_MODEL, "10", "2029-01-01", "CERT-E2")


def build(db: Path, workdir: Path) -> Path:
    for number, records in enumerate(([A1, A2, B1, C1, EVIL, FORMULA], [A1, B1, B2, C1, EVIL, FORMULA]), 1):
        feed = workdir / f"feed-{number}.json"
        feed.write_text(json.dumps(records))
        run_cli("import", "tco", feed, "--db", db, check=True)
    run_id, _ = start_run(db, "tco", "test")
    fail_run(
        db, run_id, "finished", "tco: Product Finder feed is not JSON", {}, {"items": 0, "invalid": 0, "errors": 1}
    )
    return db
