"""The source registry: every declared source crawls its recording end to end, and a source added
as a folder elsewhere (LABELWATCH_SOURCE_PACKAGES) appears in the CLI, the report and the
dashboard's filters without any other file changing."""

import json

import pytest
from conftest import ROOT, SNAPSHOTS, run_cli
from streamlit.testing.v1 import AppTest

from crawlers import sources
from crawlers.sources import all_sources, get_source, labels

DECLARATION = '''
"""A throw-away registry for the tests: a class scale and a flag of its own."""

from crawlers.sources.declaration import Flag, Label, LevelScale, Source

SOURCE = Source(
    name="demolabel",
    title="Demo Label registry",
    labels=(Label("Demo Label", LevelScale("class", ("C", "B", "A"), shown="class {level}")),),
    flags=(Flag("Refillable", help="the device takes a refill"),),
    markets="per_country",
    validity="a listing counts until its end date",
    settings={"DEMOLABEL_LIST_URL": "https://registry.example/list.json"},
)
'''

SPIDER = """
import json

import scrapy

from crawlers.registry_spider import RegistrySpider
from crawlers.sources.demo_label import SOURCE


class DemoLabelSpider(RegistrySpider):
    name = "demolabel"

    def start_live(self):
        yield scrapy.Request(self.settings["DEMOLABEL_LIST_URL"], callback=self.parse_list, errback=self.request_failed)

    def parse_list(self, response):
        label = SOURCE.labels[0].name
        for number, row in enumerate(json.loads(response.body), 1):
            ref = f"row {number}"
            yield {
                "source": self.name, "run_id": self.run_id, "record_key": f"{row['id']}/{row['country']}",
                "label": label, "level": row["class"], "level_rank": self.level_rank(label, row["class"], ref),
                "brand": row["brand"], "model": row["model"], "category": self.category(("category", row["category"])),
                "category_raw": row["category"], "certificate_id": row["id"], "valid_from": None,
                "valid_until": row["until"], "status": None, "gtins": [], "url": None,
                "market": row["country"], "flags": ["Refillable"] if row["refillable"] else [],
            }
"""

ROWS = [  # two products in two countries; classes C < B < A
    {
        "id": "L1",
        "brand": "Acme",
        "model": "Writer 1",
        "class": "A",
        "refillable": True,
        "country": "Belgium",
        "category": "Displays",
        "until": "2099-01-01",
    },
    {
        "id": "L1",
        "brand": "Acme",
        "model": "Writer 1",
        "class": "A",
        "refillable": True,
        "country": "France",
        "category": "Displays",
        "until": "2099-01-01",
    },
    {
        "id": "L2",
        "brand": "Bolt",
        "model": "Pad 2",
        "class": "C",
        "refillable": False,
        "country": "Belgium",
        "category": "Displays",
        "until": "2099-01-01",
    },
    {
        "id": "L3",
        "brand": "Bolt",
        "model": "Pad 3",
        "class": "B",
        "refillable": False,
        "country": "Belgium",
        "category": "Notebooks",
        "until": "2099-01-01",
    },
]


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory) -> dict:
    """A source folder and its recording in a temporary directory, and the environment naming it."""
    root = tmp_path_factory.mktemp("extra")
    folder = root / "extra_sources" / "demo_label"
    folder.mkdir(parents=True)
    (root / "extra_sources" / "__init__.py").write_text("")
    (folder / "__init__.py").write_text(DECLARATION)
    (folder / "spider.py").write_text(SPIDER.replace("crawlers.sources.demo_label", "extra_sources.demo_label"))
    (folder / "categories.toml").write_text('[category]\ndisplays = "display"\nnotebooks = "notebook"\n')
    recording = root / "recording"
    (recording / "bodies").mkdir(parents=True)
    (recording / "bodies" / "list.json").write_text(json.dumps(ROWS))
    (recording / "index.jsonl").write_text(
        json.dumps(
            {
                "method": "GET",
                "url": "https://registry.example/list.json",
                "status": 200,
                "headers": {"Content-Type": ["application/json"]},
                "body": "bodies/list.json",
            }
        )
        + "\n"
    )
    return {
        "root": root,
        "recording": recording,
        "env": {"PYTHONPATH": str(root), "LABELWATCH_SOURCE_PACKAGES": "extra_sources"},
    }


def test_a_source_added_as_a_folder_is_crawled_counted_and_filterable(throwaway, tmp_path):
    env, db = throwaway["env"], tmp_path / "lw.duckdb"
    crawl_help = " ".join(run_cli("crawl", "--help", env=env, check=True).stdout.split())
    assert f"Sources to crawl: {', '.join(sorted(['demolabel', *all_sources()]))}" in crawl_help
    help_text = " ".join(run_cli("report", "availability", "--help", env=env, check=True).stdout.split())
    assert "Demo Label: class C < B < A" in help_text and "Refillable (Demo Label registry)" in help_text
    run_cli("crawl", "demolabel", "--replay", throwaway["recording"], "--db", db, env=env, check=True)

    def report(*args):
        rows = json.loads(
            run_cli("report", "availability", "-f", "json", "--db", db, *args, env=env, check=True).stdout
        )
        return {(r["level"], r["category"], r["market"]): r["models"] for r in rows}

    assert report() == {
        ("C", "display", None): 1,
        ("C", "display", "Belgium"): 1,
        ("B", "notebook", None): 1,
        ("B", "notebook", "Belgium"): 1,
        ("A", "display", None): 1,
        ("A", "display", "Belgium"): 1,
        ("A", "display", "France"): 1,
    }
    assert set(report("--min-level", "Demo Label=B")) == {
        ("B", "notebook", None),
        ("B", "notebook", "Belgium"),
        ("A", "display", None),
        ("A", "display", "Belgium"),
        ("A", "display", "France"),
    }
    assert report("--flag", "Refillable", "--market", "France") == {("A", "display", "France"): 1}
    refused = run_cli("report", "availability", "--db", db, "--min-level", "Demo Label=D", env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "labelwatch: error: --min-level 'Demo Label=D': 'D' is not a level of Demo Label; levels: C < B < A"
    )
    # without the package named, the source is unknown: nothing else in the tree knows it
    assert "unknown source demolabel" in run_cli("crawl", "demolabel", "--db", db).stderr


def test_the_dashboard_offers_the_added_sources_levels_and_flags(throwaway, tmp_path, monkeypatch):
    db = tmp_path / "lw.duckdb"
    run_cli("crawl", "demolabel", "--replay", throwaway["recording"], "--db", db, env=throwaway["env"], check=True)
    monkeypatch.syspath_prepend(str(throwaway["root"]))
    monkeypatch.setenv("LABELWATCH_SOURCE_PACKAGES", "extra_sources")
    monkeypatch.setenv("LABELWATCH_DB", str(db))
    sources._discover.cache_clear()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard" / "views" / "availability.py"), default_timeout=60)
        at.query_params["min_demo_label"] = "A"
        at.query_params["market"] = "any market"
        at.run()
        assert not at.exception, at.exception
        level = next(box for box in at.sidebar.selectbox if box.label == "Demo Label: minimum class")
        assert level.options == ["any", "class C", "class B", "class A"] and level.value == "A"  # shown, kept
        assert [c.label for c in at.sidebar.checkbox if c.label.endswith("only")] == [
            *(f"{s.title} {f.name} only" for s in all_sources().values() for f in s.flags)
        ]
        assert "Demo Label registry Refillable only" in [c.label for c in at.sidebar.checkbox]
        shown = next(d.value for d in at.dataframe if {"source", "level"} <= set(d.value.columns))  # the counts
        assert set(shown["level"]) == {"class A"} and set(shown["source"]) == {"Demo Label registry"}
    finally:
        sources._discover.cache_clear()


@pytest.mark.parametrize("name", list(all_sources()))
def test_every_registered_source_crawls_its_recording_end_to_end(name, tmp_path):
    """Replay the source from the demo bundle into an empty database: its labels are counted
    at levels on their scales (a shop source: its offers are reported)."""
    source, db = get_source(name), tmp_path / "lw.duckdb"
    run_cli("crawl", name, "--replay", SNAPSHOTS, "--db", db, check=True)
    if source.record_kind == "offer":
        offers = json.loads(run_cli("report", "offers", "--list", "-f", "json", "--db", db, check=True).stdout)
        assert offers
        return
    rows = json.loads(run_cli("report", "availability", "-f", "json", "--db", db, check=True).stdout)
    assert rows and {r["source"] for r in rows} == {name}
    for row in rows:
        _, label = labels()[row["label"]]
        assert label.scale is None or label.scale.rank(row["level"]) is not None, row


def test_declarations_are_consistent():
    """Every label belongs to one source; every source's spider is named after it; settings
    are declared upper-case; a category table maps to canonical categories only."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    settings = Settings()
    settings.setmodule("crawlers.settings")
    assert sorted(SpiderLoader.from_settings(settings).list()) == sorted(all_sources())
    for source in all_sources().values():
        assert all(key.isupper() for key in source.settings)
        assert isinstance(source.categories, dict)  # reading it raises on a non-canonical category
    assert len(labels()) == sum(len(s.labels) for s in all_sources().values())
