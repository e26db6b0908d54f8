"""Shared test helpers: saved responses replayed as Scrapy responses, spiders bound to a
crawler, and the CLI run as a subprocess (Scrapy's reactor runs once per process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RECORDINGS = sorted((ROOT / "crawlers" / "snapshots").glob("20*"))  # the demo's, oldest first
SNAPSHOTS = RECORDINGS[-1]  # the newest


def response_from(
    body: bytes | str,
    url: str = "https://example.test/",
    status: int = 200,
    html: bool = False,
    headers: dict | None = None,
    **kw,
):
    """A response as Scrapy would hand it to a callback."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    cls = HtmlResponse if html else TextResponse
    return cls(url=url, body=body, status=status, headers=headers, request=Request(url, **kw), encoding="utf-8")


def json_response(data, url: str = "https://example.test/", **kw):
    return response_from(json.dumps(data), url, **kw)


@pytest.fixture
def make_spider():
    """A spider bound to a crawler with the project settings, run id 1; `settings` override the
    source's declared ones, as `--set` does."""
    from scrapy.settings import Settings

    def make(cls, settings: dict | None = None, **kwargs):
        project = Settings()
        project.setmodule("crawlers.settings")
        ours = {k: v for k, v in project.copy_to_dict().items() if k.startswith("LABELWATCH_")}
        if settings:
            cls = type(cls.__name__, (cls,), {"custom_settings": {**(cls.custom_settings or {}), **settings}})
        crawler = get_crawler(cls, ours)
        spider = cls.from_crawler(crawler, **kwargs)
        crawler.spider = spider
        crawler.stats.open_spider()
        spider.run_id = 1
        return spider

    return make


def main_in_process(*args: str) -> subprocess.CompletedProcess:
    """`labelwatch ARGS` run by labelwatch.main in this process, for commands that end before a
    crawl starts (a Scrapy reactor runs once per process): about a second faster than run_cli."""
    import contextlib
    import io

    import labelwatch

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["labelwatch", *map(str, args)]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            labelwatch.main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def run_cli(
    *args: str, env: dict | None = None, check: bool | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `labelwatch ARGS` in a fresh process; check=True asserts exit 0."""
    result = subprocess.run(
        [sys.executable, "-m", "labelwatch", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, f"exit {result.returncode}\nstdout:{result.stdout}\nstderr:{result.stderr}"
    return result


def report_products(db, labels: list[str], *options: str, mode: str = "any") -> list[dict]:
    """`labelwatch report products` for these labels (JSON rows: brand, products, on_candidates)."""
    chosen = [a for label in labels for a in ("--label", label)]
    answer = run_cli("report", "products", *chosen, "--mode", mode, *options, "-f", "json", "--db", db, check=True)
    return json.loads(answer.stdout)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo (`make demo-data`): the bundled recordings replayed oldest first (read-only use)."""
    db = tmp_path_factory.mktemp("demo") / "labelwatch.duckdb"
    for recording in RECORDINGS:
        run_cli("crawl", "--replay", recording, "--db", db, check=True)
    return db


@pytest.fixture(scope="session")
def newest_db(tmp_path_factory) -> Path:
    """One replay of the newest recording: runs 1-5 are energystar, epeat, eprel, offers, tco (read-only use)."""
    db = tmp_path_factory.mktemp("newest") / "labelwatch.duckdb"
    run_cli("crawl", "--replay", SNAPSHOTS, "--db", db, check=True)
    return db
