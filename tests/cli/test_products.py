"""`labelwatch products review|decide` and `report products` on a copy of the demo's newest
recording: candidates side by side, a decision recorded beside the database and applied at
once, and every user mistake as one line and exit 2."""

import csv
import json
import shutil

import pytest
from conftest import main_in_process, report_products, run_cli

from store import queries
from store.products import decisions

LABELS = ["TCO Certified", "EU energy label"]


@pytest.fixture
def db(newest_db, tmp_path):
    copy = tmp_path / "lw.duckdb"
    shutil.copy(newest_db, copy)
    return copy


def devices(db, mode):
    rows = report_products(db, LABELS, "--category", "display", "--valid-on", "2026-08-07", mode=mode)
    return {r["brand"]: (r["products"], r["on_candidates"]) for r in rows}


def test_review_then_decide_same_and_different(db):
    listed = json.loads(run_cli("products", "review", "-f", "json", "--db", db, check=True).stdout)
    assert listed and {"member_a", "member_b", "score", "source_a", "model_a", "source_b", "model_b"} <= set(listed[0])
    [halogen] = [c for c in listed if c["model_a"] == "U2724D Halogen-Free" or c["model_b"] == "U2724D Halogen-Free"]
    before = devices(db, "any")
    decided = run_cli(
        "products", "decide", halogen["member_a"], halogen["member_b"], "same", "--who", "anna", "--db", db
    )
    assert decided.returncode == 0 and "now one device" in decided.stderr
    after = devices(db, "any")
    assert after["Dell"][0] == before["Dell"][0] - 1  # the halogen-free variant no longer counts apart
    remaining = json.loads(
        run_cli("products", "review", "-f", "json", "--limit", "1000", "--db", db, check=True).stdout
    )
    assert (halogen["member_a"], halogen["member_b"]) not in {(c["member_a"], c["member_b"]) for c in remaining}
    other = remaining[0]
    run_cli(
        "products",
        "decide",
        other["member_b"],
        other["member_a"],
        "different",
        "--why",
        "another panel",
        "--db",
        db,
        check=True,
    )
    with decisions.path_for(db).open(newline="") as file:
        lines = list(csv.DictReader(file))
    assert [(line["decision"], line["who"], line["why"]) for line in lines] == [
        ("same", "anna", ""),
        ("different", "", "another panel"),
    ]
    assert lines[1]["member_a"] < lines[1]["member_b"]  # a pair is written in one order
    decisions.append(decisions.path_for(db), "0" * 16, halogen["member_b"], "same")  # a record renamed since
    review = run_cli("products", "review", "-f", "json", "--db", db, check=True)
    assert (other["member_a"], other["member_b"]) not in {
        (c["member_a"], c["member_b"]) for c in json.loads(review.stdout)
    }
    assert review.stderr.startswith("labelwatch: 1 of the 3 decisions in ") and "no longer holds" in review.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["products", "decide", "aaaa", "bbbb", "maybe"], "decision: 'maybe' is not one of same, different"),
        (["products", "decide", "aaaa", "aaaa", "same"], "a member cannot be decided against itself"),
        (["products", "decide", "aaaa", "bbbb", "same"], "aaaa: no such member in"),
        (["report", "products", "--label", "TCO Certified", "--mode", "most"], "--mode: 'most' is not one of any, all"),
        (["report", "products"], "--label: choose at least one label"),
        (["report", "products", "--label", "Blue Angel"], "Blue Angel"),
        (["products", "show", " "], "give words of a model name, a certificate id, a registration or a GTIN"),
        (["products", "show", "U2724D", "--valid-on", "soon"], "--valid-on 'soon': not a YYYY-MM-DD date"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(db, args, message):
    result = run_cli(*args, "--db", db)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("labelwatch: error: ") and message in line


def test_a_decisions_file_that_cannot_be_read_is_named_and_not_added_to(db):
    decisions.path_for(db).write_text("member_a,member_b,decision\nx,y,perhaps\n")
    listed = json.loads(run_cli("products", "review", "-f", "json", "--db", db, check=True).stdout)
    result = run_cli("products", "decide", listed[0]["member_a"], listed[0]["member_b"], "same", "--db", db)
    assert result.returncode == 2
    assert "product-decisions.csv, line 2, decision: 'perhaps'" in result.stderr
    assert decisions.path_for(db).read_text().count("\n") == 2


def test_show_one_device_across_labels(db):
    """The demo's Dell U2724D: TCO Certified generation 10 and the EU energy label (class E, from
    an EPREL registration in every EU country), one device; its variants are devices of their own."""
    args = ("products", "show", "dell U2724D", "--valid-on", "2026-08-07", "--db", db)
    rows = json.loads(main_in_process(*args, "-f", "json").stdout)
    assert set(rows[0]) == set(queries.DEVICE_FIELDS)
    first = [r for r in rows if r["device"] == rows[0]["device"]]
    assert [(r["label"], r["level"], r["model"], r["markets"]) for r in first] == [
        ("EU energy label", "E", "U2724D", 27),
        ("TCO Certified", "10", "U2724D", 0),
    ]
    assert first[0]["measures"]["on_mode_power_w"] == 19.1 and first[1]["measures"] is None
    assert {r["model"] for r in rows[2:]} == {"U2724D Halogen-Free", "U2724DE", "U2724DE Halogen-Free", "U2724DE WOST"}
    by_certificate = json.loads(main_in_process("products", "show", "DE126060143", "-f", "json", "--db", db).stdout)
    assert {r["device"] for r in by_certificate} == {rows[0]["device"]}
    none = main_in_process("products", "show", "no such model", "-f", "json", "--db", db)
    assert none.returncode == 0 and json.loads(none.stdout) == []
    assert none.stderr.startswith("labelwatch: no label record valid on ")
