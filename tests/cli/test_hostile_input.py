"""Strings from the web are data: stored, reported and shown exactly as written, never run."""

import json

import duckdb
from conftest import run_cli

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
    rows = json.loads(
        run_cli(
            "report",
            "availability",
            "-f",
            "json",
            "--db",
            db,
            "--label",
            "TCO Certified",
            "--category",
            "display'; DROP TABLE crawl_run; --",
            check=True,
        ).stdout
    )
    assert rows == []  # a hostile filter value is a value, not SQL
    rows = json.loads(run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout)
    assert [(r["models"], r["brands"], r["certificates"]) for r in rows] == [(1, 1, 1)]
