"""The dashboard in a real browser: `labelwatch dashboard` on the demo database, every page
loaded in Debian's headless Chromium (driven by playwright-core, tests/browser/pages.mjs), the
headline numbers read off the rendered page and checked against `labelwatch report`.
Screenshots go to test-output/browser/. `make test` installs Chromium and playwright-core;
LABELWATCH_SKIP_BROWSER=1 skips this test where they cannot be installed."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date

import pytest
from conftest import ROOT, report_products, run_cli

BROWSER = ROOT / "tests" / "browser"
OUTPUT = ROOT / "test-output" / "browser"

pytestmark = pytest.mark.skipif(os.environ.get("LABELWATCH_SKIP_BROWSER") == "1", reason="LABELWATCH_SKIP_BROWSER=1")


@pytest.fixture
def served(demo_db):
    missing = [
        what
        for what, ok in (
            ("/usr/bin/chromium (apt-get install chromium)", shutil.which("chromium")),
            ("node", shutil.which("node")),
            ("tests/browser/node_modules (npm ci)", (BROWSER / "node_modules").exists()),
        )
        if not ok
    ]
    assert not missing, f"browser test needs {', '.join(missing)}: `make test` installs them"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "labelwatch", "dashboard", "--db", str(demo_db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=2)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "dashboard did not come up in 60 s"
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def visit(base: str, pages: dict[str, str | dict]) -> dict[str, dict]:
    """Each page (a path, or a path with the window's width and height) as the browser showed it."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    listed = json.dumps(
        [{"name": name, **({"path": page} if isinstance(page, str) else page)} for name, page in pages.items()]
    )
    result = subprocess.run(
        ["node", "pages.mjs", base, str(OUTPUT), listed], cwd=BROWSER, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return {
        page["name"]: {**page, "metrics": {m["label"]: m["value"] for m in page["metrics"]}}
        for page in json.loads(result.stdout)
    }


def test_every_page_renders_in_chromium_with_the_reported_numbers(served, demo_db):
    today = date.today().isoformat()
    seen = visit(
        served,
        {
            "availability": "/",
            "pretender-tco": f"/pretender?tender_category=display&labels=TCO%20Certified&min_tco_certified=10&published={today}",
            "pretender-epeat": f"/pretender?tender_category=notebook&labels=EPEAT&min_epeat=Gold&published={today}",
            "trends": "/trends",
            "expiry": "/expiry",
            "offers": "/offers",
            "crawls": "/crawls",
            **{
                f"device{suffix}": f"/device?device=Dell%20U2724D{query}"
                for suffix, query in (("", ""), ("-nl", "&lang=nl"), ("-fr", "&lang=fr"))
            },
            "pretender-1280": {"path": "/pretender?tender_category=notebook", "width": 1280, "height": 800},
            "offers-1280": {"path": "/offers?lang=fr", "width": 1280, "height": 1000},
            **{
                f"{page}-{language}": f"/{'' if page == 'availability' else page}?lang={language}"
                for language in ("nl", "fr")
                for page in ("availability", "pretender", "trends", "expiry", "offers", "crawls")
            },
        },
    )
    # The pages open on Belgium (the demo has Belgian EPEAT registrations) and global certificates.
    report = json.loads(
        run_cli("report", "availability", "-f", "json", "--market", "Belgium", "--db", demo_db, check=True).stdout
    )
    row = {(r["label"], r["level"], r["category"]): r for r in report}
    epeat = [r for r in report if r["label"] == "EPEAT"]
    assert epeat and {r["market"] for r in epeat} == {"Belgium"}

    assert seen["availability"]["title"] == "Market availability"
    assert seen["availability"]["metrics"]["EPEAT: models"] == str(
        sum(r["models"] for r in epeat)
    )  # one tier per product
    tco_total = int(seen["availability"]["metrics"]["TCO Certified: models"])
    assert max(r["models"] for r in report if r["label"] == "TCO Certified") <= tco_total

    def devices(label: str, category: str, level: str) -> dict[str | None, int]:
        """`report products` as the pre-tender page asks it: devices per brand, Belgium, today."""
        options = ["--category", category, "--market", "Belgium", "--min-level", f"{label}={level}"]
        return {r["brand"]: r["products"] for r in report_products(demo_db, [label], *options)}

    tco10, gold = devices("TCO Certified", "display", "10"), devices("EPEAT", "notebook", "Gold")
    assert seen["pretender-tco"]["metrics"] == {
        "models (any of: TCO Certified)": f"{sum(tco10.values()):,}",
        "brands (any of: TCO Certified)": str(len([b for b in tco10 if b])),
    }
    # a device counts once: at most the registry's models of that level (their records linked by model key)
    assert sum(tco10.values()) <= row[("TCO Certified", "10", "display")]["models"]
    assert "min_tco_certified=10" in seen["pretender-tco"]["url"]  # the view stays in the URL
    assert seen["pretender-epeat"]["metrics"] == {
        "models (any of: EPEAT)": f"{sum(gold.values()):,}",
        "brands (any of: EPEAT)": str(len([b for b in gold if b])),
    }
    assert seen["expiry"]["metrics"]["TCO Certified: qualifying"] == str(tco_total)
    age = f"{(date.today() - date(2026, 8, 7)).days:,} days old"  # the data's day: the newest recording's
    assert seen["crawls"]["metrics"] == {
        "ENERGY STAR": age,
        "EPEAT": age,
        "EPREL": age,
        "Supplier offers": age,
        "TCO Certified": age,
    }
    assert seen["offers"]["metrics"] == {
        "certified models on offer": "4",  # in stock (two linking an EPREL label); the pre-ordered Lenovo is listed only
        "suppliers of certified models": "1",
        "offers with no label found": "3",
    }
    assert seen["trends"]["title"] == "Trends"
    found = {"devices found": "5", "labels held by the first device": "2"}  # TCO Certified and EU energy label
    assert seen["device"]["metrics"] == found
    assert seen["device-fr"]["metrics"] == {"appareils trouvés": "5", "labels du premier appareil": "2"}
    assert seen["device-nl"]["title"] == "Eén toestel, alle labels"
    key_columns = ["label", "level", "brand", "model", "valid until", "link"]  # the qualifying list, on screen
    assert set(key_columns) <= set(seen["pretender-1280"]["columns"]), seen["pretender-1280"]["columns"]
    offer_columns = [
        "niveau",
        "boutique",
        "nom du produit",
        "prix",
        "disponibilité",
        "état",
        "lien",
        "prix le plus élevé",
    ]
    assert set(offer_columns) <= set(seen["offers-1280"]["columns"]), seen["offers-1280"]["columns"]
    assert (seen["availability-nl"]["title"], seen["availability-fr"]["title"]) == (
        "Marktbeschikbaarheid",
        "Disponibilité sur le marché",
    )
    assert seen["pretender-nl"]["title"] == "Toets vóór de aanbesteding"
    assert seen["offers-fr"]["metrics"]["modèles certifiés en vente"] == "4"
    assert seen["crawls-nl"]["metrics"][
        "TCO Certified"
    ] == f"{(date.today() - date(2026, 8, 7)).days:,} dagen oud".replace(",", ".")
    for name, page in seen.items():
        assert page["errors"] == [], name
        assert (OUTPUT / f"{name}.png").stat().st_size > 10_000
