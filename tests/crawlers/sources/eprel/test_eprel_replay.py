"""EPREL end to end: a live crawl without a key fails saying how to get one; with a key (from the
environment) the key is sent but never logged or recorded; the demo recording's counts per
class, in a member state and in any market."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import SNAPSHOTS, run_cli

KEY = "eprel-Key-7f3a9c"


def test_a_live_crawl_without_a_key_fails_saying_what_is_missing(tmp_path):
    db = tmp_path / "labelwatch.duckdb"
    result = run_cli("crawl", "eprel", "--db", db, env={"EPREL_API_KEY": ""})
    assert result.returncode == 1
    assert "eprel: run 1 FAILED" in result.stderr
    assert "EPREL_API_KEY" in result.stderr and "https://eprel.ec.europa.eu/screen/requestpublicapikey" in result.stderr
    assert "labelwatch import eprel FILE" in result.stderr
    (run,) = json.loads(run_cli("runs", "--format", "json", "--db", db, check=True).stdout)
    assert (run["status"], run["items"]) == ("failed", 0) and "no API key" in run["message"]


def mirror(recording: Path):
    """EPREL's API as the demo recording answers it, on 127.0.0.1; it records each request's key."""
    index = [json.loads(line) for line in (recording / "index.jsonl").read_text().splitlines()]
    answers = {e["url"].split("eprel.ec.europa.eu", 1)[1]: e for e in index if "eprel.ec.europa.eu" in e["url"]}
    keys: list = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            entry = answers.get(self.path)
            if entry is not None:
                keys.append(self.headers.get("X-API-KEY"))
            body = (recording / entry["body"]).read_bytes() if entry else b"{}"
            self.send_response(entry["status"] if entry else 404)
            self.send_header("Content-Type", entry["headers"]["Content-Type"][0] if entry else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", keys, server


def test_the_key_is_sent_but_never_logged_or_recorded(tmp_path):
    base, keys, server = mirror(SNAPSHOTS)
    recording, db = tmp_path / "recording", tmp_path / "labelwatch.duckdb"
    try:
        result = run_cli(
            "record",
            "eprel",
            recording,
            "--db",
            db,
            "--verbose",
            "--set",
            f"EPREL_API_URL={base}/api",
            "--set",
            "EPREL_PAGE_SIZE=4",
            "--set",
            "DOWNLOAD_DELAY=0",
            env={"EPREL_API_KEY": KEY},
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert len(keys) == 5 and set(keys) == {KEY}  # export refused, three pages, the display export
    assert KEY not in result.stdout + result.stderr
    written = b"".join(p.read_bytes() for p in recording.rglob("*") if p.is_file())
    assert KEY.encode() not in written
    (run,) = json.loads(run_cli("runs", "--format", "json", "--db", db, check=True).stdout)
    assert run["status"] == "loaded" and KEY not in json.dumps(run)


def availability(db, *args) -> list[dict]:
    result = run_cli("report", "availability", "--format", "json", "--db", db, "--valid-on", "2026-08-07", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_report_counts_phones_per_repairability_class_in_a_member_state_and_any_market(newest_db):
    belgium = availability(newest_db, "--label", "EU repairability class", "--market", "Belgium")
    assert [(r["level"], r["category"], r["market"], r["models"], r["brands"]) for r in belgium] == [
        ("C", "smartphone", "Belgium", 1, 1),
        ("B", "smartphone", "Belgium", 6, 6),
        ("A", "smartphone", "Belgium", 1, 1),
    ]  # 10 real phones: HAMMER withdrawn and DORO off the market by then (constructed), HMD's last version
    anywhere = availability(newest_db, "--label", "EU repairability class")
    markets = {r["market"] for r in anywhere}
    assert len(markets) == 28 and None in markets and "Malta" in markets  # 27 member states and any market
    assert {
        r["market"] for r in availability(newest_db, "--label", "EU repairability class", "--market", "Norway")
    } == set()
    no_market = [(r["level"], r["models"]) for r in anywhere if r["market"] is None]
    assert no_market == [("C", 1), ("B", 6), ("A", 1)]  # counted once, not once per country
