"""The dashboard with streamlit.testing AppTest against fixture databases."""

import json
import shutil
import subprocess
import sys
from datetime import date

import pandas as pd
from conftest import ROOT, run_cli
from epeat_exports import SMALL_EXPORT, multi_country_rows, to_xlsx
from streamlit.testing.v1 import AppTest

from crawlers.sources import all_sources
from dashboard import names
from store import queries
from store.db import read_connection
from store.load import fail_run, start_run

APP = str(ROOT / "dashboard" / "app.py")
ON = date(2026, 8, 7)


def render(monkeypatch, db, on: date = ON, params: dict | None = None, **choices) -> AppTest:
    monkeypatch.setenv("LABELWATCH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, at.exception
    if at.sidebar.date_input:
        at.sidebar.date_input[0].set_value(on)
        for index, name in enumerate(("Category", "Label"), start=1):  # 0: the language
            if name.lower() in choices:
                at.sidebar.selectbox[index].set_value(choices[name.lower()])
        at.run()
        assert not at.exception, at.exception
    return at


def people(rows: list[dict]) -> list[dict]:
    """Report rows as the dashboard shows them in English: categories, levels and sources in words."""
    return names.for_people(pd.DataFrame(rows)).to_dict("records")


def test_availability_table_agrees_with_the_report(monkeypatch, demo_db):
    at = render(monkeypatch, demo_db)
    report = ["report", "availability", "--format", "json", "--valid-on", ON.isoformat(), "--db", demo_db]
    assert at.sidebar.selectbox[3].value == "Belgium"  # the demo has Belgian EPEAT registrations
    belgium = json.loads(run_cli(*report, "--market", "Belgium", check=True).stdout)
    assert {r["market"] for r in belgium} == {"Belgium", None}  # and the global certificates
    assert at.dataframe[2].value.to_dict("records") == people(
        [{**r, "market": r["market"] or "any market"} for r in belgium]
    )
    at = render(monkeypatch, demo_db, params={"market": "any market"})
    expected = json.loads(run_cli(*report, check=True).stdout)
    any_market = people([{**r, "market": "any market"} for r in expected if r["market"] is None])
    assert len(any_market) < len(expected)  # EPEAT's per-country rows: only on demand
    assert at.dataframe[2].value.to_dict("records") == any_market
    at.sidebar.checkbox(key="by_market").check().run()
    everything = people([{**r, "market": r["market"] or "any market"} for r in expected])
    assert at.dataframe[2].value.to_dict("records") == everything
    linked = AppTest.from_file(APP, default_timeout=60)  # the state a shared link carries
    linked.query_params.update(by_market="true", valid_on=ON.isoformat(), market="any market")
    assert linked.run().dataframe[2].value.to_dict("records") == everything
    sources = at.dataframe[0].value.set_index("source")["status"].to_dict()
    assert sources == {source.title: "current" for source in all_sources().values()}
    assert at.get("download_button")


def test_category_filter(monkeypatch, demo_db):
    at = render(monkeypatch, demo_db, category="all_in_one")
    table = at.dataframe[2].value
    assert set(table["category"]) == {"All-in-one PC"}
    assert table.set_index("level")["models"].to_dict() == {"generation 9": 12, "generation 10": 10}


def test_not_crawled_yet_is_said_not_shown_as_zero(monkeypatch, tmp_path):
    at = render(monkeypatch, tmp_path / "empty.duckdb")
    assert at.dataframe[0].value.set_index("source")["status"].to_dict() == {
        source.title: "not crawled yet" for source in all_sources().values()
    }
    assert any("Not crawled yet" in i.value for i in at.info)
    assert len(at.dataframe) == 1
    assert not (tmp_path / "empty.duckdb").exists()


def test_a_failed_last_crawl_is_stated_with_the_data_shown(monkeypatch, demo_db, tmp_path):
    db = tmp_path / "lw.duckdb"
    shutil.copy(demo_db, db)
    run_id, _ = start_run(db, "tco", "test")
    fail_run(
        db,
        run_id,
        "finished",
        "tco: Product Finder feed at https://x is not JSON",
        {},
        {"items": 0, "invalid": 0, "errors": 1},
    )
    at = render(monkeypatch, db)
    row = at.dataframe[0].value.set_index("source").loc["TCO Certified"]
    assert (row["status"], row["last attempt's outcome"]) == ("last crawl not loaded", "failed")
    assert row["reason"] == "tco: Product Finder feed at https://x is not JSON"
    assert any(w.value.endswith("failed. tco: Product Finder feed at https://x is not JSON") for w in at.warning)
    assert at.dataframe[2].value["models"].sum() > 0


def test_crawls_page_lists_runs(monkeypatch, demo_db):
    at = render(monkeypatch, demo_db)
    at.switch_page("views/crawls.py").run()
    assert not at.exception
    runs = at.dataframe[1].value
    assert runs[["source", "status", "records read"]].head(5).to_dict("records") == [
        {"source": "TCO Certified", "status": "loaded", "records read": 1222},
        {"source": "Supplier offers", "status": "loaded", "records read": 9},
        {"source": "EPREL", "status": "loaded", "records read": 891},
        {"source": "EPEAT", "status": "loaded", "records read": 1039},
        {"source": "ENERGY STAR", "status": "loaded", "records read": 85},
    ]
    assert len(runs) == 13 and list(runs["date of the data"].str[:4].unique()) == ["2026", "2025", "2024"]


def test_a_render_opens_one_connection_and_none_outlives_it(monkeypatch, demo_db, tmp_path):
    from dashboard import data

    db = tmp_path / "lw.duckdb"
    shutil.copy(demo_db, db)
    opened = []
    real = data.read_connection
    monkeypatch.setattr(data, "read_connection", lambda *args: opened.append(args) or real(*args))
    render(monkeypatch, db)  # two renders: the first, and one after choosing the day
    assert len(opened) == 2  # each render reads choices, sources, counts and totals on one connection
    writer = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).execute('CHECKPOINT')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert writer.returncode == 0, writer.stderr


def test_market_defaults_to_belgium_and_epeat_filters_apply(monkeypatch, tmp_path):
    export = tmp_path / "export.xlsx"
    export.write_bytes(to_xlsx(multi_country_rows()))
    db = tmp_path / "lw.duckdb"
    run_cli("import", "epeat", export, "--db", db, *SMALL_EXPORT, check=True)
    at = render(monkeypatch, db, on=date.today())
    assert at.sidebar.selectbox[3].value == "Belgium"
    table = at.dataframe[2].value
    assert set(table["market"]) == {"Belgium"}
    assert table.set_index(["level", "category"])["models"].to_dict() == {
        ("Silver", "Notebook"): 1,
        ("Gold", "Notebook"): 1,
        ("Gold", "Other (not mapped)"): 1,
    }
    at.sidebar.selectbox[4].set_value("Gold").run()
    assert set(at.dataframe[2].value["level"]) == {"Gold"}
    at.sidebar.checkbox[0].check().run()
    assert at.dataframe[2].value["models"].sum() == 2  # both Gold products are Climate+


def test_chart_never_stacks_a_country_on_its_any_market_row(monkeypatch, demo_db):
    import pyarrow

    at = render(monkeypatch, demo_db, params={"market": "any market"})
    [chart] = at.get("vega_lite_chart")
    plotted = pyarrow.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
    bars = plotted.groupby(["label", "level", "category"])["models"].sum().to_dict()
    expected = json.loads(
        run_cli(
            "report", "availability", "--format", "json", "--valid-on", ON.isoformat(), "--db", demo_db, check=True
        ).stdout
    )
    any_market = people([r for r in expected if r["market"] is None])
    assert bars == {(r["label"], r["level"], r["category"]): r["models"] for r in any_market}
    assert bars[("EPEAT", "Gold", "Notebook")] == 397  # India and Belgium counted once


def test_a_damaged_database_is_a_message_not_a_traceback(monkeypatch, demo_db, tmp_path):
    db = tmp_path / "lw.duckdb"
    db.write_bytes(demo_db.read_bytes()[:20_000])  # truncated
    monkeypatch.setenv("LABELWATCH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    [error] = at.error
    assert "The database cannot be read (DatabaseUnusable)" in error.value and str(tmp_path) not in error.value


def test_the_pretender_defaults_judge_the_publication_day_and_say_which_label_has_no_data(monkeypatch, demo_db):
    """With its defaults (published today, contract four years on) the demo's TCO Certified
    displays qualify; EPEAT has no display in the demo, which is said as no data, not 0."""
    monkeypatch.setenv("LABELWATCH_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tender_category"] = "display"
    at.switch_page("views/pretender.py").run()
    assert not at.exception
    assert at.sidebar.date_input(key="published").value == date.today()
    models = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    chosen = "ENERGY STAR, EPEAT, EU energy label, EU repairability class, TCO Certified"
    shown = models[f"models (any of: {chosen})"]  # 874 TCO displays from 9 brands on 2026-12-01, and EPREL's
    report = json.loads(
        run_cli(
            "report", "availability", "-f", "json", "--category", "display", "--market", "Belgium", "--db", demo_db
        ).stdout
    )
    per_level = [r["models"] for r in report if r["label"] in ("TCO Certified", "EU energy label")]
    assert 0 < max(per_level) <= shown <= sum(per_level)  # the report counts each label and level on its own
    assert models[f"brands (any of: {chosen})"] > 0
    [no_data] = [i.value for i in at.info if "EPEAT" in i.value]  # one note, a line per label without data
    assert (
        "No data for EPEAT here (Display (monitor)): no product is registered for Belgium in this category."
        in no_data.split("\n\n")[1]
    )
    assert no_data.split("\n\n")[0].startswith("No data for ENERGY STAR here")
    assert not any("0 models" in w.value for w in at.warning)
    [risk] = [c.value for c in at.caption if "have no certificate running beyond" in c.value]
    assert "a risk to check, not a disqualification" in risk


def test_the_age_of_the_registry_data_is_not_the_age_of_the_crawl(monkeypatch, demo_db):
    """The demo was crawled today from recordings of 2024 to 2026: the Crawls page says how old
    each source's data is (its recording's day) and how old its newest record is."""
    at = render(monkeypatch, demo_db)
    at.switch_page("views/crawls.py").run()
    assert not at.exception
    newest = {c.value.split(":")[0] for c in at.caption if "newest certificate or registration" in c.value}
    assert newest == {"newest certificate or registration in the data"}
    epeat = [c.value for c in at.caption if "newest certificate" in c.value and "2024" in c.value]
    assert epeat, [c.value for c in at.caption]
    with read_connection(demo_db) as con:
        assert queries.newest_records(con)["epeat"].year == 2024
    age = (date.today() - date(2026, 8, 7)).days  # the newest recording's day, not the day of the crawl
    assert {m.label: m.value for m in at.metric}["EPEAT"] == f"{age:,} days old"
    assert any(c.value.startswith("data of Aug 7, 2026, loaded ") for c in at.caption)


def test_every_way_an_offer_is_matched_is_shown_in_words():
    """`matched_by` of an offer's label: the page links the registration, its GTIN, an analyst's
    decision, or how it joined its device (store.products.link)."""
    from store.products.link import OFFER_LINK_KINDS

    kinds = {"registration", "gtin", "decision", *OFFER_LINK_KINDS.values()}
    shown = people([{"matched_by": kind} for kind in sorted(kinds)])
    assert [row["matched by"] for row in shown] == [
        "confirmed by an analyst",
        "GTIN",
        "same brand and model name",
        "the registry's model number in the product name",
        "registry link on the shop page",
    ]
