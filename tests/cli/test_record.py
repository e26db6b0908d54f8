"""A live crawl against a local registry mirror, recorded, then replayed to the same counts."""

import json

import duckdb
import pytest
from conftest import run_cli
from registry_mirror import PASSWORD, TOKEN, USER, start_mirror


@pytest.fixture
def mirror():
    base, seen, server = start_mirror()
    yield base, seen
    server.shutdown()


def live_settings(base):
    return [
        "--set",
        f"TCO_FEED_URL={base}/product-finder-app/items-get.php",
        "--set",
        f"TCO_API_URL={base}",
        "--set",
        "TCO_PRODUCT_TYPES=Displays,Notebooks",
        "--set",
        "DOWNLOAD_DELAY=0",
        "--set",
        "AUTOTHROTTLE_ENABLED=False",
    ]


def test_record_then_replay_gives_the_same_counts(mirror, tmp_path):
    base, seen = mirror
    credentials = {"TCO_API_USER": USER, "TCO_API_PASSWORD": PASSWORD}
    recorded = run_cli(
        "record",
        "tco",
        tmp_path / "rec",
        "--db",
        tmp_path / "live.duckdb",
        "-v",
        *live_settings(base),
        env=credentials,
        check=True,
    )
    assert "tco: run 1 loaded: 1222 items, 1185 records" in recorded.stderr
    assert "refused product_type 'Notebooks' (HTTP 400)" in recorded.stderr  # a warning, not a failure

    paths = [p for _, p, _, _ in seen]
    assert paths[0] == "/robots.txt"  # robots.txt asked first
    assert "/generic/gtin?page=3&product_type=Displays" in paths
    user_agents = {h.get("User-Agent") for _, _, h, _ in seen}
    assert len(user_agents) == 1 and "+https://" in user_agents.pop()

    replayed = run_cli("crawl", "tco", "--replay", tmp_path / "rec", "--db", tmp_path / "replay.duckdb", check=True)
    assert "tco: run 1 loaded: 1222 items, 1185 records" in replayed.stderr

    def report(db):
        return json.loads(
            run_cli("report", "availability", "-f", "json", "--valid-on", "2026-08-07", "--db", db, check=True).stdout
        )

    assert report(tmp_path / "replay.duckdb") == report(tmp_path / "live.duckdb")

    written = [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.endswith((".duckdb", ".wal"))]
    assert any(p.name == "index.jsonl" for p in written) and any(p.name == "run-1.jsonl" for p in written)
    con = duckdb.connect(str(tmp_path / "live.duckdb"), read_only=True)
    stored = json.dumps(con.execute("SELECT * FROM crawl_run").fetchall(), default=str)
    con.close()
    for secret in (PASSWORD, TOKEN):
        assert secret not in recorded.stderr + replayed.stderr
        assert not [p for p in written if secret in p.read_text(errors="replace")]
        assert secret not in stored  # run stats and messages in the database


def test_wrong_credentials_fail_the_run_naming_the_request(mirror, tmp_path):
    base, _ = mirror
    result = run_cli(
        "crawl",
        "tco",
        "--db",
        tmp_path / "lw.duckdb",
        *live_settings(base),
        env={"TCO_API_USER": USER, "TCO_API_PASSWORD": "wrong"},
    )
    assert result.returncode == 1
    assert f"POST {base}/token failed" in result.stderr and "401" in result.stderr
    assert "wrong" not in result.stderr
