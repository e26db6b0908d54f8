"""The Scrapy project deploys to a real Scrapyd (installed from PyPI with the test extras):
scrapyd-deploy builds the egg and uploads it, a replay crawl is scheduled through Scrapyd's HTTP
API, and the run is loaded when the spider closes, as any other run."""

import configparser
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SNAPSHOTS, run_cli

from crawlers.sources import all_sources
from labelwatch import replay_settings

BIN = Path(sys.executable).parent
NOT_DEPLOYED = shutil.ignore_patterns(
    ".git", ".venv", "test-output", "node_modules", ".cache", "__pycache__", "*.egg-info", "build", ".pytest_cache"
)


def checkout_files(folder: str, names: list[str]) -> set[str]:
    """What a clean checkout would not have: local environments, caches and the demo's data/."""
    return NOT_DEPLOYED(folder, names) | ({"data"} if Path(folder) == ROOT else set())


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=30) as response:
        answer = json.load(response)
    assert answer["status"] == "ok", answer
    return answer


@pytest.fixture
def scrapyd(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = eggs\nlogs_dir = logs\n"
        "items_dir =\ndbs_dir = dbs\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    server = subprocess.Popen([BIN / "scrapyd"], cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                api(base, "daemonstatus.json")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "scrapyd did not start in 60 s"
                time.sleep(0.5)
        yield base, home
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_deploy_to_scrapyd_and_a_scheduled_replay_crawl_loads(scrapyd, tmp_path, demo_db):
    base, home = scrapyd
    project = tmp_path / "project"  # scrapyd-deploy writes a setup.py where it builds: not in the checkout
    shutil.copytree(ROOT, project, ignore=checkout_files)
    config = configparser.ConfigParser()
    config.read(project / "scrapy.cfg")
    config["deploy"]["url"] = base + "/"
    with (project / "scrapy.cfg").open("w") as out:
        config.write(out)
    deployed = subprocess.run(
        [BIN / "scrapyd-deploy", "--version", "test-1"], cwd=project, capture_output=True, text=True, timeout=300
    )
    assert deployed.returncode == 0 and '"status": "ok"' in deployed.stdout, deployed.stdout + deployed.stderr
    assert api(base, "listspiders.json?project=labelwatch")["spiders"] == sorted(all_sources())

    db = tmp_path / "lw.duckdb"
    settings = {**replay_settings(SNAPSHOTS), "LABELWATCH_DB": str(db), "LABELWATCH_ORIGIN": "scrapyd"}
    as_text = {
        k: ",".join(v)
        if isinstance(v, list) and all(isinstance(i, str) for i in v)
        else json.dumps(v)
        if isinstance(v, (list, dict))
        else str(v)
        for k, v in settings.items()
    }
    job = api(
        base,
        "schedule.json",
        [("project", "labelwatch"), ("spider", "tco"), *[("setting", f"{k}={v}") for k, v in as_text.items()]],
    )["jobid"]
    deadline = time.monotonic() + 180
    while not any(j["id"] == job for j in api(base, "listjobs.json?project=labelwatch")["finished"]):
        assert time.monotonic() < deadline, "the scheduled crawl did not finish in 180 s"
        time.sleep(1)

    log = next((home / "logs" / "labelwatch" / "tco").glob(f"{job}.log")).read_text()
    [run] = json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)
    assert (run["origin"], run["status"], run["items"], run["errors"]) == ("scrapyd", "loaded", 1222, 0), log[-3000:]

    def report(path):
        return json.loads(
            run_cli("report", "availability", "-f", "json", "--label", "TCO Certified", "--db", path, check=True).stdout
        )

    assert report(db) == report(demo_db)  # same numbers as the CLI's replay crawl
