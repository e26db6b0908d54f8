"""EPEAT counting end to end: product × country, any market, archived rows, failures."""

import json
import shutil
from collections import Counter

import duckdb
import pytest
from conftest import FIXTURES, run_cli
from epeat_exports import HEADER, SMALL_EXPORT, multi_country_rows, to_xlsx


def report(db, *extra) -> list[dict]:
    return json.loads(
        run_cli("report", "availability", "-f", "json", "--label", "EPEAT", "--db", db, *extra, check=True).stdout
    )


def test_real_sample_through_the_report(demo_db):
    rows = report(demo_db, "--as-of", "1")  # the demo's first run: the real export, as it is
    india = [r for r in rows if r["market"] == "India"]
    anywhere = [r for r in rows if r["market"] is None]
    by_tier = Counter()
    by_category = Counter()
    for r in india:
        by_tier[r["level"]] += r["models"]
        by_category[r["category"]] += r["models"]
    assert by_tier == {"Gold": 464, "Silver": 166, "Bronze": 14}
    assert by_category == {"notebook": 521, "desktop": 123}
    assert [{**r, "market": None} for r in india] == anywhere  # one country: any market = India
    assert {(r["level"], r["category"]): r["brands"] for r in india}[("Gold", "notebook")] == 4
    climate = sum(r["models"] for r in report(demo_db, "--as-of", "1", "--flag", "Climate+") if r["market"] == "India")
    assert climate == 330


@pytest.fixture
def multi_db(tmp_path):
    export = tmp_path / "export.xlsx"
    export.write_bytes(to_xlsx(multi_country_rows()))
    db = tmp_path / "lw.duckdb"
    result = run_cli("import", "epeat", export, "--db", db, *SMALL_EXPORT, check=True)
    assert "epeat: run 1 loaded: 8 items, 8 records" in result.stderr
    return db


def counts(rows):
    return {(r["level"], r["category"], r["market"]): r["models"] for r in rows}


def test_product_by_country_counting(multi_db):
    assert counts(report(multi_db)) == {
        ("Bronze", "desktop", None): 1,
        ("Bronze", "desktop", "Germany"): 1,
        ("Silver", "notebook", None): 1,
        ("Silver", "notebook", "Belgium"): 1,  # B is inactive
        ("Gold", "notebook", None): 1,  # A in 3 countries counts once in any market
        ("Gold", "notebook", "Belgium"): 1,
        ("Gold", "notebook", "France"): 1,
        ("Gold", "notebook", "Germany"): 1,
        ("Gold", "other", None): 1,
        ("Gold", "other", "Belgium"): 1,
    }  # no Netherlands: A was archived there
    assert counts(report(multi_db, "--market", "Belgium")) == {
        ("Silver", "notebook", "Belgium"): 1,
        ("Gold", "notebook", "Belgium"): 1,
        ("Gold", "other", "Belgium"): 1,
    }
    assert set(counts(report(multi_db, "--min-level", "EPEAT=Silver"))) == {
        ("Silver", "notebook", None),
        ("Silver", "notebook", "Belgium"),
        ("Gold", "notebook", None),
        ("Gold", "notebook", "Belgium"),
        ("Gold", "notebook", "France"),
        ("Gold", "notebook", "Germany"),
        ("Gold", "other", None),
        ("Gold", "other", "Belgium"),
    }


def test_archived_rows_are_kept_and_count_before_their_archive_date(multi_db):
    con = duckdb.connect(str(multi_db), read_only=True)
    stored = con.execute(
        "SELECT market_code, archived_on::VARCHAR, status FROM certification WHERE market = 'Netherlands'"
    ).fetchall()
    con.close()
    assert stored == [("NL", "2023-06-30", "Active")]
    before = counts(report(multi_db, "--valid-on", "2023-01-01"))
    assert before[("Gold", "notebook", "Netherlands")] == 1
    assert ("Bronze", "desktop", None) not in before  # D was registered on 2024-07-08


def test_a_changed_export_is_held_back_and_the_previous_epeat_data_stays_current(multi_db, tmp_path):
    before = report(multi_db)
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(
        to_xlsx(multi_country_rows(), header=[h if h != "Registered In" else "Country" for h in HEADER])
    )
    result = run_cli("import", "epeat", renamed, "--db", multi_db)
    assert result.returncode == 1
    assert "renamed.xlsx: required column 'Registered In' missing" in result.stderr
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(to_xlsx(multi_country_rows())[:4000])
    result = run_cli("import", "epeat", truncated, "--db", multi_db)
    assert result.returncode == 1 and "truncated.xlsx could not be read to the end" in result.stderr
    assert report(multi_db) == before
    runs = json.loads(run_cli("runs", "-f", "json", "--db", multi_db, check=True).stdout)
    assert [r["status"] for r in runs] == ["suspect", "suspect", "loaded"]
    assert "parsed zero items" in runs[1]["message"]
    refused = run_cli("accept", str(runs[1]["id"]), "--db", multi_db)
    assert refused.returncode == 2 and "has no records to load" in refused.stderr


def test_import_of_the_real_csv(tmp_path):
    db = tmp_path / "lw.duckdb"
    csv_file = tmp_path / "export.csv"
    shutil.copy(FIXTURES / "epeat" / "epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv", csv_file)
    result = run_cli("import", "epeat", csv_file, "--db", db, check=True)
    assert "epeat: run 1 loaded: 644 items, 644 records" in result.stderr
    assert sum(r["models"] for r in report(db) if r["market"] == "India") == 644
