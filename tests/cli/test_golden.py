"""The demo database answers as the golden files say (tests/golden/README.md)."""

import pytest
from conftest import ROOT, run_cli

GOLDEN = ROOT / "tests" / "golden"
AVAILABILITY = ["report", "availability", "--format", "json"]
CASES = {
    **{f"avail-{day}.json": [*AVAILABILITY, "--valid-on", day] for day in ("2026-12-01", "2028-06-01")},
    **{
        f"offers-{day}.json": ["report", "offers", "--format", "json", "--valid-on", day]
        for day in ("2026-12-01", "2028-06-01")
    },
    **{
        f"offerlist-{day}.json": ["report", "offers", "--list", "--format", "json", "--valid-on", day]
        for day in ("2026-12-01", "2028-06-01")
    },
    "avail-silver.json": [*AVAILABILITY, "--valid-on", "2026-12-01", "--min-level", "EPEAT=Silver"],
    "avail-gen10.json": [*AVAILABILITY, "--valid-on", "2026-12-01", "--min-level", "TCO Certified=10"],
    "avail-climate.json": [*AVAILABILITY, "--valid-on", "2026-12-01", "--flag", "Climate+"],
    "avail-india-gold.json": [
        *AVAILABILITY,
        "--valid-on",
        "2026-12-01",
        "--market",
        "India",
        "--min-level",
        "EPEAT=Gold",
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_demo_answers_are_unchanged(demo_db, name):
    answer = run_cli(*CASES[name], "--db", demo_db, check=True).stdout
    assert answer == (GOLDEN / name).read_text(), f"{name} differs from the golden answer"
