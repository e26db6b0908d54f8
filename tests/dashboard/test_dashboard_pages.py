"""Every dashboard page (AppTest) against a fixture database with known counts: several runs, a
failed run, expiring certificates and hostile names (tests/dashboard_db.py). The view is chosen
through URL query parameters, as a buyer's shared link would."""

import json
from datetime import date
from io import BytesIO, StringIO

import dashboard_db
import openpyxl
import pandas as pd
import pyarrow
import pytest
from conftest import ROOT, report_products, run_cli
from dashboard_db import FORMULA_MODEL, HOSTILE_MODEL, TODAY
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

PAGES = ROOT / "dashboard" / "views"


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    return dashboard_db.build(folder / "lw.duckdb", folder)


def page(monkeypatch, db, name: str, **params) -> AppTest:
    monkeypatch.setenv("LABELWATCH_DB", str(db))
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", KeptStorage)
    monkeypatch.setattr(app_test, "MediaFileManager", KeptManager)
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)  # as a link to that page opens it
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def report(db, *args) -> list[dict]:
    return json.loads(run_cli("report", "availability", "-f", "json", "--db", db, *args, check=True).stdout)


def metrics(at) -> dict:
    """The page's numeric metrics (a "–" is no figure)."""
    return {m.label: int(m.value.replace(",", "")) for m in at.metric if m.value != "–"}


class KeptStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media storage, kept reachable after the run to read downloads."""

    made: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        KeptStorage.made.append(self)


class KeptManager(MediaFileManager):
    made: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        KeptManager.made.append(self)


def downloads(at) -> dict[str, bytes]:
    """Button label → the bytes each download button serves when clicked (the files are made
    on the click: deferred), as the browser would receive them."""
    storage, manager = KeptStorage.made[-1], KeptManager.made[-1]
    files = {}
    for button in at.get("download_button"):
        url = button.proto.url or manager.execute_deferred(button.proto.deferred_file_id)
        files[button.proto.label] = storage.get_file(url.rsplit("/", 1)[-1]).content
    return files


def test_availability_matrix_and_url_state_agree_with_the_report(monkeypatch, fixture_db):
    at = page(monkeypatch, fixture_db, "availability", valid_on=TODAY.isoformat(), min_tco_certified="10")
    assert at.sidebar.selectbox[-1].value == "10" and at.sidebar.date_input[0].value == TODAY
    matrix = at.dataframe[1].value
    columns = ["Display (monitor) · models", "Display (monitor) · brands"]
    assert matrix.loc["TCO Certified · generation 10", columns].tolist() == ["5", "3"]
    assert "TCO Certified · generation 9" not in matrix.index
    expected = report(fixture_db, "--valid-on", TODAY.isoformat(), "--min-level", "TCO Certified=10")
    assert at.dataframe[2].value[["level", "models", "brands", "certificates"]].to_dict("records") == [
        {**{k: r[k] for k in ("models", "brands", "certificates")}, "level": f"generation {r['level']}"}
        for r in expected
    ]
    state = at.dataframe[0].value.set_index("source").loc["TCO Certified"]
    assert (state["status"], state["last attempt's outcome"]) == ("last crawl not loaded", "failed")
    assert state["reason"] == "tco: Product Finder feed is not JSON"
    [banner] = [w.value for w in at.warning if w.value.startswith("TCO Certified:")]
    assert banner.startswith(f"TCO Certified: showing the data of {date.fromisoformat(state['data as of']):%b} ")
    assert "the last crawl was not loaded. Last attempt (" in banner
    assert banner.endswith("): failed. tco: Product Finder feed is not JSON")


@pytest.mark.parametrize(
    "end, min_generation, models, brands, warned",
    [
        ("2026-12-31", "any", 6, 4, False),  # A1 B1 B2 C1 and the two Eizo models: 4 brands
        ("2027-06-01", "10", 4, 2, True),  # A1 and C1 have expired by then: Acer and Dell drop out
    ],
)
def test_pretender_counts_warning_and_report_agree(
    monkeypatch, fixture_db, end, min_generation, models, brands, warned
):
    at = page(
        monkeypatch,
        fixture_db,
        "pretender",
        tender_category="display",
        published=end,
        contract_end="2031-01-01",
        min_tco_certified=min_generation,
    )
    label = "any of: TCO Certified"
    assert metrics(at) == {f"models ({label})": models, f"brands ({label})": brands}
    assert bool([w for w in at.warning if "fewer than 3" in w.value]) is warned
    rows = report(
        fixture_db,
        "--valid-on",
        end,
        "--category",
        "display",
        "--min-level",
        f"TCO Certified={'8' if min_generation == 'any' else min_generation}",
    )
    assert sum(r["models"] for r in rows) == models  # generations hold disjoint models here
    listed = at.dataframe[1].value
    assert len(listed) == models
    [risk] = [c.value for c in at.caption if "of these models have no certificate running beyond" in c.value]
    assert risk.startswith(f"{models} of these models")  # every certificate here ends before 2031


def test_pretender_threshold_and_each_label_mode(monkeypatch, fixture_db):
    at = page(
        monkeypatch,
        fixture_db,
        "pretender",
        tender_category="display",
        published="2027-06-01",
        min_brands="2",
        mode="each",
    )
    assert metrics(at) == {"models (TCO Certified)": 4, "brands (TCO Certified)": 2}
    assert not [w for w in at.warning if "fewer than" in w.value] and at.success
    per_brand = at.dataframe[0].value.set_index("brand")
    assert per_brand["TCO Certified"].to_dict() == {"BenQ": 2, "EIZO": 2}  # the brand table spells it EIZO


def test_pretender_exports_state_the_criteria_and_keep_hostile_names_as_text(monkeypatch, fixture_db):
    at = page(
        monkeypatch,
        fixture_db,
        "pretender",
        tender_category="display",
        published="2027-06-01",
        contract_end="2027-12-31",
    )
    listed = at.dataframe[1].value
    assert HOSTILE_MODEL in set(listed["model"])  # shown as a table cell, literally
    assert not any("<script>" in str(m.value) for m in at.markdown)
    files = downloads(at)
    sheet = openpyxl.load_workbook(BytesIO(files["Download XLSX for the tender file"])).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    criteria = {row[0]: row[1] for row in rows[:20] if row[0]}
    assert criteria["category"] == "Display (monitor)" and criteria["labels"] == "TCO Certified"
    assert criteria["qualifying on (tender published)"] == "Jun 1, 2027"
    assert criteria["contract ends on"] == "Dec 31, 2027"
    assert criteria["qualifying: any of: TCO Certified"].startswith("4 models, 2 brands; ")
    sources = rows[[row[0] for row in rows].index("sources") + 1]
    assert sources[0] == "TCO Certified" and sources[1].startswith("run 2, data as of ")
    header = rows.index(
        ["label", "level", "brand", "model", "valid until", "certificates", "valid from", "countries", "link"]
    )
    models = {row[3] for row in rows[header + 1 :]}
    assert models == {"B1", "B2", HOSTILE_MODEL, FORMULA_MODEL}
    formula_cell = next(c for row in sheet.iter_rows() for c in row if c.value == FORMULA_MODEL)
    assert formula_cell.data_type == "s"
    exported = pd.read_csv(StringIO(files["Download CSV"].decode()))
    assert "'" + FORMULA_MODEL in set(exported["model"]) and HOSTILE_MODEL in set(exported["model"])


def test_pretender_shows_the_first_models_and_exports_them_all(monkeypatch, fixture_db):
    from dashboard import widgets

    monkeypatch.setattr(widgets, "SHOWN_ROWS", 2)
    at = page(monkeypatch, fixture_db, "pretender", tender_category="display", published="2027-06-01")
    shown = at.dataframe[1].value
    assert len(shown) == 2 and any(c.value.startswith("Showing the first 2 of 4 rows") for c in at.caption)
    exported = pd.read_csv(StringIO(downloads(at)["Download CSV"].decode()))
    assert len(exported) == 4 and list(exported["brand"][:2]) == list(shown["brand"])
    sheet = openpyxl.load_workbook(BytesIO(downloads(at)["Download XLSX for the tender file"])).active
    cells = list(sheet.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(cells) if row[0] == "label")
    assert sum(1 for row in cells[header + 1 :] if row[0] == "TCO Certified") == 4


def test_trends_history_and_changes_between_runs(monkeypatch, fixture_db):
    at = page(monkeypatch, fixture_db, "trends")
    [chart] = at.get("vega_lite_chart")
    plotted = pyarrow.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
    # generation 10: run 1 A1 A2 B1 and the two Eizo models; run 2 A1 B1 B2 and the two Eizo models
    assert plotted.set_index(["crawl run", "level"])["models"].to_dict() == {
        (1, "generation 9"): 1,
        (1, "generation 10"): 5,
        (2, "generation 9"): 1,
        (2, "generation 10"): 5,
    }
    legend = json.loads(chart.proto.spec)["encoding"]["color"]["sort"]
    assert legend == [  # by level on the label's scale, not as text ("10" < "9")
        "TCO Certified · generation 9 · Display (monitor)",
        "TCO Certified · generation 10 · Display (monitor)",
    ]
    assert metrics(at) == {"appeared": 1, "disappeared": 1}
    changes = at.dataframe[0].value.set_index("change")["model"].to_dict()
    assert changes == {"appeared": "B2", "disappeared": "A2"}


def test_trends_series_come_from_each_run(fixture_db):
    from store import queries
    from store.db import read_connection

    with read_connection(fixture_db) as con:
        points = queries.trends(con)
    series = {(p["run_id"], p["level"]): p["models"] for p in points}
    assert series == {(1, "9"): 1, (1, "10"): 5, (2, "9"): 1, (2, "10"): 5}
    for run_id in (1, 2):
        day = next(p["finished_at"] for p in points if p["run_id"] == run_id).date().isoformat()
        rows = report(fixture_db, "--as-of", str(run_id), "--valid-on", day)
        assert {(run_id, r["level"]): r["models"] for r in rows} == {k: v for k, v in series.items() if k[0] == run_id}


def test_expiry_horizons(monkeypatch, fixture_db):
    at = page(monkeypatch, fixture_db, "expiry", valid_on=TODAY.isoformat())
    [row] = at.dataframe[0].value.to_dict("records")
    assert row == {
        "label": "TCO Certified",
        "category": "Display (monitor)",
        "qualifying": 6,
        "lose it within 6 months": 2,
        "lose it within 12 months": 3,
        "lose it within 24 months": 4,
        "no end date": 0,
    }
    assert sum(r["models"] for r in report(fixture_db, "--valid-on", TODAY.isoformat())) == 6


def test_crawls_page_shows_runs_failures_and_age(monkeypatch, fixture_db):
    at = page(monkeypatch, fixture_db, "crawls", status="failed")
    freshness = at.dataframe[0].value.set_index("source").loc["TCO Certified"]
    assert freshness["crawl run"] == 2
    assert {m.label: m.value for m in at.metric}["TCO Certified"] == "0 days old"  # imported today: data of today
    runs = at.dataframe[1].value
    assert runs[["run", "status", "errors", "message"]].to_dict("records") == [
        {"run": 3, "status": "failed", "errors": 1, "message": "tco: Product Finder feed is not JSON"}
    ]


def test_offers_shows_the_first_offers_and_exports_them_all(monkeypatch, demo_db):
    from dashboard import widgets

    monkeypatch.setattr(widgets, "SHOWN_ROWS", 3)
    at = page(monkeypatch, demo_db, "offers")
    assert metrics(at) == {
        "certified models on offer": 4,  # in stock: the pre-ordered Lenovo is listed, not on offer
        "suppliers of certified models": 1,
        "offers with no label found": 3,  # the HP notebook's EPEAT registration is archived in the newest recording
    }  # over all 11 rows (9 offers, two of them under two EPREL labels), not the 3 shown
    shown = at.dataframe[1].value
    assert len(shown) == 3 and any(c.value.startswith("Showing the first 3 of 11 rows") for c in at.caption)
    exported = pd.read_csv(StringIO(downloads(at)["Download offers CSV"].decode()))
    assert len(exported) == 11 and list(exported["product name"][:3]) == list(shown["product name"])
    assert set(exported["VAT included"]) == {"yes"}  # both demo shops are consumer shops (shops' `vat`)
    assert (exported["label"] == "no label found").sum() == 3
    stated = dict(
        zip(exported["label"] + " " + exported["product name"], exported["what the label record states"], strict=True)
    )
    assert stated["EU repairability class HMD smartphone 6.6 inch, 128 GB"] == (
        "battery endurance in full charge cycles: 800 cycles; rated battery capacity: 4,500 mAh; minimum years of "
        "operating system updates: 5 years; guarantee: 36 months; ingress protection (IP code): IP54; falls without "
        "defect: 270 falls; repairability index (1 to 5): 4.01 points"
    )  # the EPREL registration the shop page links: every measure it states, in words
    assert stated['TCO Certified Samsung S22D400GAC 22" monitor'] == "–"  # TCO publishes no measure


def test_the_qualifying_list_shows_its_key_columns_until_every_column_is_asked_for(monkeypatch, fixture_db):
    at = page(monkeypatch, fixture_db, "pretender", tender_category="display", published="2027-06-01")
    listed = at.dataframe[1]
    assert list(listed.proto.column_order) == ["label", "level", "brand", "model", "valid until", "link"]
    assert {"certificates", "valid from", "countries"} <= set(listed.value.columns)  # there, not shown
    assert json.loads(listed.proto.columns)["link"]["help"] == (  # what the chosen label's link opens
        "TCO Certified: the certificate in TCO Certified's Product Finder."
    )
    at.checkbox(key="qualifying_all_columns").check().run()
    assert list(at.dataframe[1].proto.column_order) == []  # every column


def test_the_link_column_says_epeat_links_open_a_search_page(monkeypatch, demo_db):
    """EPEAT publishes no address for one product: its records link the registry's search page,
    and the column's help says so, in the reader's language and punctuation."""
    at = page(monkeypatch, demo_db, "pretender", tender_category="notebook", lang="fr")
    listed = at.dataframe[1]
    assert "EPEAT" in set(listed.value["label"])
    link = json.loads(listed.proto.columns)["lien"]["help"]
    assert "EPEAT : la page de recherche du registre pour la catégorie : EPEAT ne publie pas d’adresse" in link


@pytest.mark.parametrize("mode", ["any", "all"])
def test_pretender_counts_a_device_once_across_labels(monkeypatch, newest_db, mode):
    """Displays under TCO Certified and the EU energy label (the demo's newest recording): "any of"
    counts a device registered under both once, "all of" counts and lists the devices holding both,
    as `report products` does."""
    labels = ["TCO Certified", "EU energy label"]
    at = page(
        monkeypatch,
        newest_db,
        "pretender",
        tender_category="display",
        labels=labels,
        mode=mode,
        published="2026-08-07",
        contract_end="2026-08-07",
    )

    def devices(*chosen, how=mode):
        rows = report_products(newest_db, list(chosen), "--category", "display", "--valid-on", "2026-08-07", mode=how)
        return sum(r["products"] for r in rows)

    heading = f"{mode} of: TCO Certified, EU energy label"
    shown = metrics(at)[f"models ({heading})"]
    assert shown == devices(*labels)
    both = devices(*labels, how="all")
    assert both == 10  # the displays whose TCO Certified and EPREL records share a model number
    if mode == "any":  # a device under both labels counts once
        assert shown == devices(labels[0]) + devices(labels[1]) - both
    else:
        listed = at.dataframe[1].value
        assert len(listed) == 2 * both and set(listed["label"]) == set(labels)
    [note] = [c.value for c in at.caption if "A device counts once" in c.value]
    assert "may be the same device as another one listed" in note  # open candidates among them


def test_availability_shows_devices_holding_two_labels_and_open_candidates(monkeypatch, newest_db):
    at = page(monkeypatch, newest_db, "availability", valid_on="2026-08-07")
    assert "One device, several labels" in [s.value for s in at.subheader]
    [displays] = [
        d.value
        for d in at.dataframe
        if "EU energy label" in list(d.value.columns) and "Display (monitor)" not in d.value.columns
    ][:1]
    assert int(displays.loc["TCO Certified", "EU energy label"]) == 10
    [review] = [e for e in at.expander if e.label == "Possible matches not confirmed yet"]
    candidates = review.dataframe[0].value
    assert {"registry", "model as it lists it", "other registry", "model as the other lists it"} <= set(
        candidates.columns
    )
    assert len(candidates) > 0 and "–" not in set(candidates["brand"])


def test_one_device_shows_what_each_label_says_of_it(monkeypatch, demo_db):
    """The demo's Dell U2724D: one device under TCO Certified (generation 10) and the EU energy
    label (class E, with what its EPREL registration states); its variants are devices of their own."""
    at = page(monkeypatch, demo_db, "device", device="dell u2724d", valid_on="2026-12-01")
    assert metrics(at) == {"devices found": 5, "labels held by the first device": 2}
    shown = at.dataframe[0].value
    first = shown[shown["device"] == 1]
    assert list(zip(first["label"], first["level"], first["valid until"], strict=True)) == [
        ("EU energy label", "class E", "no end date"),
        ("TCO Certified", "generation 10", "Jun 15, 2027"),
    ]
    assert first["what the label record states"].iloc[0].startswith("on-mode power: 19.1 W; screen diagonal: 27 in")
    assert list(at.dataframe[0].proto.column_order) == [
        "device",
        "label",
        "level",
        "brand",
        "model",
        "valid until",
        "link",
    ]
    exported = pd.read_csv(StringIO(downloads(at)["Download CSV"].decode()))
    assert list(exported.columns) == list(shown.columns) and len(exported) == len(shown) == 6  # every column
    stated = at.dataframe[1].value  # a row per measure, so nothing is cut off
    assert list(stated.itertuples(index=False, name=None))[:2] == [
        (1, "EU energy label", "on-mode power", "19.1 W"),
        (1, "EU energy label", "screen diagonal", "27 in"),
    ]
    assert set(stated["device"]) == {1}  # the TCO Certified variants state no measure
    assert any(i.value == "No shop offer is joined to these devices." for i in at.info)
    notebook = page(monkeypatch, demo_db, "device", device="ThinkBook 14 Gen 5", valid_on="2026-12-01")
    offered = notebook.dataframe[-1].value
    assert list(zip(offered["price"], offered["availability"], offered["condition"], strict=True)) == [
        ("€649.50", "out of stock", "used"),
        ("€899.00", "pre-order", "new"),
    ]  # the refurbisher's two offers of the EPEAT Gold ThinkBook, joined by brand and model name, cheapest first
    nothing = page(monkeypatch, demo_db, "device", device="no such model")
    assert [w.value for w in nothing.warning][-1].startswith("No label record valid on that day is named")
    empty = page(monkeypatch, demo_db, "device")
    assert empty.info[-1].value.startswith("Type words of a model name") and not empty.dataframe
