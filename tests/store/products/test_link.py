"""Product identity through real loads: links by GTIN, registration and model key, hard
negatives kept apart, analysts' decisions applied at every load, counting by device, and offers
showing every label of their device."""

from datetime import date

import pytest
from store_lines import COUNTS, line, offer_line, offer_run, run_with

from crawlers.vocabulary import normalise_brand
from store import queries
from store.db import read_connection
from store.load import load_run
from store.products import decisions, link
from store.schema import write_connection

DAY = date(2026, 6, 1)
TCO, EPEAT, EPREL = "TCO Certified", "EPEAT", "EU energy label"


def tco(key, model, brand="Dell Inc.", **changes):
    return line(
        key, model=model, model_key=model.lower(), brand=brand, brand_normalised=normalise_brand(brand), **changes
    )


def epeat(key, model, brand="DELL", **changes):
    return tco(key, model, brand, label=EPEAT, level="Gold", level_rank=3, certificate_id="E" + key, **changes)


def eprel(key, model, brand="DELL", **changes):
    return tco(key, model, brand, label=EPREL, level="C", level_rank=5, registry_id=key, **changes)


def load(db, lines, source):
    run_id, path = run_with(db, lines, source)
    load_run(db, run_id, source, path, {}, COUNTS)


def products(db):
    """{frozenset of (source, model)}: the members of each product with more than one, and open candidates."""
    with read_connection(db) as con:
        rows = con.execute("SELECT product_id, source, model, linked_by FROM product_member").fetchall()
        found = {}
        for product_id, source, model, _ in rows:
            found.setdefault(product_id, set()).add((source, model))
        linked = {(source, model): how for _, source, model, how in rows}
        pairs = {
            frozenset({(c["source_a"], c["model_a"]), (c["source_b"], c["model_b"])}) for c in queries.candidates(con)
        }
    return {frozenset(m) for m in found.values() if len(m) > 1}, linked, pairs


def member_ids(db, *models):
    with read_connection(db) as con:
        ids = dict(con.execute("SELECT model, member_id FROM product_member").fetchall())
    return [ids[m] for m in models]


def test_a_gtin_shared_across_sources_makes_one_device_counted_once(tmp_path):
    db = tmp_path / "lw.duckdb"
    load(db, [tco("A", "Monitor Alpha 1", gtins=["04995047067368"]), tco("B", "Monitor Beta 2")], "tco")
    load(db, [epeat("A", "Office Screen 24 Touch", gtins=["04995047067368"]), epeat("C", "Latitude 5440")], "epeat")
    together, linked, _ = products(db)
    assert together == {frozenset({("tco", "Monitor Alpha 1"), ("epeat", "Office Screen 24 Touch")})}
    assert linked[("tco", "Monitor Alpha 1")] == "gtin"
    with read_connection(db) as con:
        any_of = queries.product_counts(con, DAY, [TCO, EPEAT])
        all_of = queries.product_counts(con, DAY, [TCO, EPEAT], queries.ALL_OF)
        per_label = {r["label"]: r["models"] for r in queries.label_totals(con, DAY)}
        overlap = {(r["label_a"], r["label_b"]): r["products"] for r in queries.label_overlap(con, DAY)}
    assert per_label == {TCO: 2, EPEAT: 2}
    assert sum(r["products"] for r in any_of) == 3  # 2 + 2 models, one device under both labels
    assert [(r["brand"], r["products"]) for r in all_of] == [("Dell", 1)]
    assert overlap == {(EPEAT, EPEAT): 2, (EPEAT, TCO): 1, (TCO, EPEAT): 1, (TCO, TCO): 2}


def test_a_certificates_gtin_list_on_several_names_links_none_of_them_but_an_offer_finds_its_model(tmp_path):
    """TCO Certified's GTIN API gives each GTIN the certificate's whole model list: a GTIN shared
    by several names of one certificate says which certificate, not which model, so the names stay
    apart; an offer with only that GTIN shows the label but joins no device, and an offer naming
    one of the models joins that one."""
    db = tmp_path / "lw.duckdb"
    gtins = ["08806095545479", "08935257513350"]
    load(
        db,
        [
            tco("A", "S27D700EAE, S27D700EAI", "SAMSUNG", gtins=gtins),
            tco("B", "S27D702EAN", "SAMSUNG", gtins=gtins),
            tco("C", "S32D700EAE", "SAMSUNG"),  # the 32" of the series: another device
        ],
        "tco",
    )
    load(db, [epeat("E", "Samsung S27D702EAN 27-inch Monitor", "Samsung")], "epeat")
    run_id, path = offer_run(
        db,
        [
            offer_line("O1", gtin="08935257513350"),
            offer_line(
                "O2", brand="Samsung", brand_normalised="Samsung", name="Samsung ViewFinity S7 S27D700EAI 27 Zoll"
            ),
        ],
    )
    load_run(db, run_id, "offers", path, {}, COUNTS)
    together, linked, _ = products(db)
    assert together == {
        frozenset({("tco", "S27D702EAN"), ("epeat", "Samsung S27D702EAN 27-inch Monitor")}),  # by model key
        frozenset({("tco", "S27D700EAE, S27D700EAI"), ("offers", "Samsung ViewFinity S7 S27D700EAI 27 Zoll")}),
    }
    assert linked[("offers", "O1")] is None
    assert linked[("offers", "Samsung ViewFinity S7 S27D700EAI 27 Zoll")] == "model number"
    with read_connection(db) as con:
        shown = {(r["record_key"], r["label"], r["matched_by"]) for r in queries.offers(con, DAY)}
    assert shown == {("O1", TCO, "gtin"), ("O2", TCO, "model number")}  # a model number among the shop's words


def test_hard_negatives_stay_apart_and_a_near_model_number_is_only_a_candidate(tmp_path):
    db = tmp_path / "lw.duckdb"
    load(db, [tco("A", "P2424H"), tco("B", "HP EliteBook 840 G10", "HP")], "tco")
    load(db, [epeat("A", "DELL P2424HT"), epeat("B", "HP EliteBook 840 14 inch G9 Notebook PC", "HP")], "epeat")
    together, _, pairs = products(db)
    assert together == set()
    assert pairs == {frozenset({("tco", "P2424H"), ("epeat", "DELL P2424HT")})}  # for review; the G9/G10 pair is not


def test_brands_written_differently_meet_through_the_shared_normaliser(tmp_path):
    db = tmp_path / "lw.duckdb"
    load(db, [tco("A", "U2724D", "Dell Inc.")], "tco")
    load(db, [eprel("2245892", "DELL U2724D", "DELL")], "eprel")
    together, linked, _ = products(db)
    assert together == {frozenset({("tco", "U2724D"), ("eprel", "DELL U2724D")})}
    assert linked[("tco", "U2724D")] == "model key"


def test_a_confirmed_candidate_survives_a_recrawl_and_a_rejected_one_never_links(tmp_path):
    db = tmp_path / "lw.duckdb"
    tco_lines = [tco("A", "P2424H"), tco("B", "Monitor Alpha 1", gtins=["04995047067368"])]
    epeat_lines = [epeat("A", "DELL P2424HT"), epeat("B", "Office Screen 24", gtins=["04995047067368"])]
    load(db, tco_lines, "tco")
    load(db, epeat_lines, "epeat")
    file = decisions.path_for(db)
    decisions.append(file, *member_ids(db, "P2424H", "DELL P2424HT"), "same", "analyst", "one panel, two names")
    decisions.append(file, *member_ids(db, "Monitor Alpha 1", "Office Screen 24"), "different", why="GTIN reused")
    load(db, tco_lines, "tco")  # a re-crawl: the decisions file is applied at the load
    together, linked, pairs = products(db)
    assert together == {frozenset({("tco", "P2424H"), ("epeat", "DELL P2424HT")})}
    assert linked[("tco", "P2424H")] == "decision" and linked[("tco", "Monitor Alpha 1")] is None
    assert pairs == set()  # decided pairs are no longer candidates
    load(db, epeat_lines, "epeat")  # and again: the shared GTIN still does not join the rejected pair
    assert products(db)[0] == together


def test_an_offer_linked_by_registration_shows_every_label_and_measure_of_its_device(tmp_path):
    db = tmp_path / "lw.duckdb"
    load(db, [tco("A", "U2724D")], "tco")
    stated = {"on_mode_power_w": 17.0, "energy_1000h_kwh": 17.0, "screen_size_in": 27.0}
    load(db, [eprel("2245892", "U2724D", market=None, measures=stated)], "eprel")
    run_id, path = offer_run(db, [offer_line("O1", name="Dell 27 inch screen", registrations=["eprel:2245892"])])
    load_run(db, run_id, "offers", path, {}, COUNTS)
    with read_connection(db) as con:
        shown = {r["label"]: (r["matched_by"], r["measures"]) for r in queries.offers(con, DAY)}
        judged = {r["label"]: r["measures"] for r in queries.offers(con, DAY, filters=queries.Filters(market="BE"))}
    assert shown == {TCO: ("registration", None), EPREL: ("registration", stated)}
    assert judged == {TCO: None, EPREL: stated}  # the rules applied by the read, not current_offer_label


def test_a_malformed_decisions_file_is_named_and_does_not_stop_a_load(tmp_path, caplog):
    db = tmp_path / "lw.duckdb"
    file = decisions.path_for(db)
    file.write_text("member_a,member_b,decision\nabc,def,perhaps\n")
    with pytest.raises(decisions.DecisionsError, match=r"line 2, decision: 'perhaps'"):
        decisions.read(file)
    load(db, [tco("A", "U2724D")], "tco")
    assert "line 2, decision: 'perhaps'" in caplog.text


def test_a_load_that_changes_no_member_keeps_the_links_and_other_key_rules_recompute_every_key(tmp_path, monkeypatch):
    db = tmp_path / "lw.duckdb"
    lines = [tco("A", "U2724D"), tco("B", "P2424H")]
    load(db, lines, "tco")
    load(db, [eprel("2245892", "DELL U2724D")], "eprel")
    before = products(db)
    with write_connection(db) as con:
        assert link.relink(con) == {"unchanged": 1}
        con.execute("UPDATE product_member SET keys = ['stale'] WHERE model = 'P2424H'")
    monkeypatch.setattr(link, "rules_fingerprint", lambda: "other rules")
    load(db, lines, "tco")
    assert products(db) == before
    with read_connection(db) as con:
        assert con.execute("SELECT keys FROM product_member WHERE model = 'P2424H'").fetchone()[0] == ["p2424h"]


def test_an_offer_joins_one_device_and_never_bridges_two(tmp_path):
    """A page whose GTIN is one device's and whose registry link is another's joins the one its
    strongest link names (the registration); a name holding two devices' model numbers joins none."""
    db = tmp_path / "lw.duckdb"
    load(db, [tco("A", "U2724D", gtins=["04995047067368"]), tco("B", "P2424HT")], "tco")
    load(db, [eprel("2245892", "E2225HSM")], "eprel")
    run_id, path = offer_run(
        db,
        [
            offer_line("O1", name="Dell monitor", gtin="04995047067368", registrations=["eprel:2245892"]),
            offer_line("O2", brand="Dell", brand_normalised="Dell", name="Dell U2724D + P2424HT bundle"),
        ],
    )
    load_run(db, run_id, "offers", path, {}, COUNTS)
    together, linked, _ = products(db)
    assert together == {frozenset({("offers", "Dell monitor"), ("eprel", "E2225HSM")})}
    assert linked[("offers", "Dell monitor")] == "registration"
    assert linked[("offers", "Dell U2724D + P2424HT bundle")] is None


def test_links_emptied_by_a_schema_change_are_made_anew_and_the_current_tables_carry_each_device(tmp_path):
    db = tmp_path / "lw.duckdb"
    load(db, [tco("A", "U2724D")], "tco")
    load(db, [eprel("2245892", "DELL U2724D")], "eprel")
    with write_connection(db) as con:
        con.execute("DELETE FROM product_member")  # what a new product_member column does to the table
        assert link.relink(con)["members"] == 2
        keys = con.execute("SELECT DISTINCT product_key FROM current_across_markets").fetchall()
    assert len(keys) == 1 and keys[0][0] is not None  # one device, written where counts read it


def test_one_device_found_by_its_name_gtin_or_registration_shows_what_each_label_states(tmp_path):
    db = tmp_path / "lw.duckdb"
    gtin = "04995047067368"
    load(
        db,
        [tco("A", "U2724D", gtins=[gtin]), tco("B", "U2724DE"), tco("C", "U2724D Old", valid_until="2026-01-01")],
        "tco",
    )
    stated = {"on_mode_power_w": 19.1, "energy_1000h_kwh": 19.0}
    load(db, [eprel("2245892", "DELL U2724D", market="BE", measures=stated, valid_until=None)], "eprel")
    with read_connection(db) as con:
        by_name = queries.devices_named(con, "  dell U2724d ", DAY)
        same = [queries.devices_named(con, text, DAY) for text in (gtin[1:], "2245892", "CA")]
        nothing = [queries.devices_named(con, text, DAY) for text in ("", "u2724d old", "4995047067369")]
    first = by_name[0]["device"]
    assert [(r["label"], r["model"], r["markets"], r["measures"]) for r in by_name if r["device"] == first] == [
        (EPREL, "DELL U2724D", 1, stated),
        (TCO, "U2724D", 0, None),
    ]  # the device holding two labels first; then the U2724DE, a device of its own
    assert [r["model"] for r in by_name if r["device"] != first] == ["U2724DE"]
    assert by_name[0]["valid_until"] is None and by_name[1]["valid_until"] == date(2027, 1, 1)
    assert all({r["device"] for r in found} == {first} for found in same)  # a GTIN-13, a registration, a certificate
    assert nothing == [[], [], []]  # no words; only an expired record; a GTIN with a wrong check digit
    offers = [
        offer_line("O1", name="Dell 27 inch screen", registrations=["eprel:2245892"], price="410.00"),
        offer_line("O2", name="Dell U2724D refurbished", brand="Dell", brand_normalised="Dell", price="299.00"),
        offer_line("O3", name="Some other screen", price="99.00"),
    ]
    run_id, path = offer_run(db, offers)
    load_run(db, run_id, "offers", path, {}, COUNTS)
    with read_connection(db) as con:
        offered = queries.device_offers(con, [first, by_name[-1]["device"]])
    assert [(o["device"], o["name"], o["price"]) for o in offered] == [
        (first, "Dell U2724D refurbished", 299.0),  # the same brand and model name
        (first, "Dell 27 inch screen", 410.0),  # the EPREL registration its page links
    ]  # cheapest first; the U2724DE has no offer, the other screen joins no device
