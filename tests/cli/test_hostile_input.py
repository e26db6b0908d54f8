"""Strings from the web are data: stored, reported and shown exactly as written, never run."""

import json
from datetime import date

import duckdb
from conftest import run_cli

from store import queries
from store.db import read_connection

HOSTILE = {
    "brand": "Robert'); DROP TABLE certification;--",
    "name": "<script>alert(1)</script> **bold** [link](javascript:alert(1))",
}


def test_hostile_strings_round_trip_as_plain_text(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps(
            [
                {
                    **HOSTILE,
                    "cert_no": "DE1'; --",
                    "cert_date": "2026-01-01",
                    "cert_expiry_date": "2028-01-01",
                    "generation": "10",
                    "category": "Displays",
                    "idkey": "x<y>",
                    "search": "1",
                }
            ]
        )
    )
    db = tmp_path / "lw.duckdb"
    run_cli("import", "tco", feed, "--db", db, check=True)
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT brand, model, certificate_id, url FROM certification").fetchall()
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert stored == [
        (
            HOSTILE["brand"],
            HOSTILE["name"],
            "DE1'; --",
            "https://industry.tcocertified.com/product-finder/?product=x<y>",
        )
    ]
    assert "certification" in tables
    hostile = "display'; DROP TABLE crawl_run; --"
    refused = run_cli("report", "availability", "--db", db, "--category", hostile)
    assert refused.returncode == 2 and "unknown category" in refused.stderr  # checked before any query
    with read_connection(db) as con:  # and were it not, a filter value is a value, not SQL
        assert queries.availability(con, date(2027, 1, 1), filters=queries.Filters(category=hostile)) == []
    rows = json.loads(run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout)
    assert [(r["models"], r["brands"], r["certificates"]) for r in rows] == [(1, 1, 1)]


SHOUTING = '=HYPERLINK("http://x.test")[/x][bold]\x1b]0;pwned\x07\x1b[2J\x9b31m'


def test_markup_escape_sequences_and_formulas_in_data_reach_no_terminal_or_spreadsheet(tmp_path):
    """A product name with Rich markup, an OSC window-title sequence, a clear-screen and a C1
    CSI, and a spreadsheet formula: printed as text with the controls escaped, and in CSV made
    inert with a leading apostrophe; JSON keeps it exactly."""
    page = tmp_path / "page.html"
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": SHOUTING,
        "brand": {"@type": "Brand", "name": "Fairphone"},
        "offers": {
            "@type": "Offer",
            "price": "499.00",
            "priceCurrency": "EUR",
            "availability": "InStock",
            "url": "https://shop.test/p/1",
        },
    }
    page.write_text(f'<html><script type="application/ld+json">{json.dumps(product)}</script></html>')
    db = tmp_path / "lw.duckdb"
    run_cli("import", "offers", page, "--db", db, check=True)
    table = run_cli("report", "offers", "--list", "--db", db, check=True)
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout and "\x9b" not in table.stdout
    assert "[/x][bold]\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in table.stdout.replace("\n", "").replace(" ", "")
    assert "Traceback" not in table.stderr
    csv_out = run_cli("report", "offers", "--list", "-f", "csv", "--db", db, check=True).stdout
    assert "'=HYPERLINK" in csv_out and ",=HYPERLINK" not in csv_out
    [offer] = json.loads(run_cli("report", "offers", "--list", "-f", "json", "--db", db, check=True).stdout)
    assert offer["name"] == SHOUTING
    runs = run_cli("runs", "--db", db, check=True)
    assert "Traceback" not in runs.stderr and "\x1b" not in runs.stdout
