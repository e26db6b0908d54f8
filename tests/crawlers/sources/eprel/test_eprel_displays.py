"""Monitor or television: the display rules (crawlers/sources/eprel/display_rules.toml), and
the rules checked on the demo data against the displays TCO Certified and ENERGY STAR list."""

import pytest

from crawlers.sources.eprel.displays import UNDECIDED, classify, display_rules, parse_rules
from store.db import read_connection


@pytest.mark.parametrize(
    ("model", "diagonal", "pixels", "placed"),
    [
        ("P2424H", 23.8, (1920, 1080), ("display", "monitor-model-number")),
        ("27UP850N-W", 27, (3840, 2160), ("display", "monitor-model-number")),
        ("242B9T", 23.8, (1920, 1080), ("display", "monitor-model-number")),
        ("ProLite XB2492HSU-B1 A", 23.8, (1920, 1080), ("display", "monitor-model-number")),
        ("QE55Q80C", 54.6, (3840, 2160), ("television", "tv-model-number")),
        ("OLED55C34LA", 54.6, (3840, 2160), ("television", "tv-model-number")),
        ("55PUS8808/12", 54.6, (3840, 2160), ("television", "tv-model-number")),
        ("KD-43X80L", 42.5, (3840, 2160), ("television", "tv-model-number")),
        ("P34hc G4", 34, (3440, 1440), ("display", "ultra-wide")),
        ("CB272U G", 27, (2560, 1440), ("display", "monitor-resolution")),
        ("XYZ-27", 48, (2560, 1440), (None, UNDECIDED)),  # a QHD height, but too large for the rule
        ("V247Y Ebmixv", 23.8, (1920, 1080), (None, UNDECIDED)),  # 1080 px: a monitor or a small TV
        ("ACER ALTOS EZBA65", 65, (3840, 2160), (None, UNDECIDED)),  # signage or television: size cannot tell
        ("V247Y Ebmixv", None, (None, None), (None, UNDECIDED)),  # nothing to judge on
    ],
)
def test_the_first_rule_that_holds_places_the_display(model, diagonal, pixels, placed):
    assert classify(model, diagonal, *pixels) == placed


def test_every_rule_says_why_and_names_a_known_category():
    rules = display_rules()
    assert [r.name for r in rules] == ["tv-model-number", "monitor-model-number", "ultra-wide", "monitor-resolution"]
    assert all(r.why and r.category in ("display", "television") for r in rules)


@pytest.mark.parametrize(
    "text",
    [
        '[[rule]]\nname = "x"\ncategory = "monitor"\naspect_min = 2.0',  # not a canonical category
        '[[rule]]\nname = "x"\ncategory = "display"',  # no condition: it would place everything
        '[[rule]]\nname = "x"\ncategory = "display"\nheight_px = [1]',  # an unknown condition
    ],
)
def test_a_rule_file_with_a_mistake_is_refused_naming_the_rule(text):
    with pytest.raises(ValueError, match=r"display_rules.toml rule 1 \(x\)"):
        parse_rules(text)


def test_on_the_demo_no_display_that_tco_or_energy_star_lists_is_placed_among_televisions(demo_db):
    """The same brand and model in EPREL and in TCO Certified's displays or ENERGY STAR's
    (signage) displays: EPREL's record is a monitor or undecided, never a television; and the
    check is not empty."""
    with read_connection(demo_db) as con:
        pairs = con.execute(
            """
            WITH latest AS (SELECT source, max(id) AS run_id FROM crawl_run WHERE status = 'loaded' GROUP BY source),
                 current AS (SELECT c.* FROM certification c JOIN latest l
                             ON c.source = l.source AND c.first_run_id <= l.run_id AND c.last_run_id >= l.run_id),
                 eprel AS (SELECT DISTINCT brand_normalised, model_key, category, category_raw FROM current
                           WHERE source = 'eprel' AND category_raw LIKE 'ELECTRONIC_DISPLAY%'),
                 listed AS (SELECT DISTINCT source, brand_normalised, model_key FROM current
                            WHERE source IN ('tco', 'energystar') AND category = 'display')
            SELECT l.source, e.model_key, e.category, e.category_raw
            FROM eprel e JOIN listed l USING (brand_normalised, model_key)
            ORDER BY ALL
            """
        ).fetchall()
    assert {source for source, *_ in pairs} == {"tco", "energystar"}
    assert len(pairs) >= 10
    assert not [p for p in pairs if p[2] == "television"]
    assert ("energystar", "acer altos ezba65", "other", "ELECTRONIC_DISPLAY, rule undecided") in pairs
