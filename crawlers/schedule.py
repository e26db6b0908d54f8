"""Scheduled crawls: each source on its own cron line, each crawl in its own process.

A crawl runs as `labelwatch crawl SOURCE` in a subprocess under a hard timeout (killed when
over: the run shows as `killed`, nothing is loaded), with its output in a log file and the
run's stats in a JSON file beside it. A source whose last attempt was not loaded is retried
sooner than its next cron time: after 1, 2, 3 … failures in a row it waits retry_backoff[0],
[1], [2] … seconds (the last value repeating), never later than the cron time.
"""

import json
import logging
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from croniter import croniter

logger = logging.getLogger(__name__)


@dataclass
class Job:
    source: str
    cron: str
    timeout: float = 7200.0
    retry_backoff: list[float] = field(default_factory=lambda: [300.0, 900.0, 3600.0])
    args: list[str] = field(default_factory=list)  # extra `labelwatch crawl` arguments
    failures: int = 0
    due: datetime | None = None

    def next_cron(self, after: datetime) -> datetime:
        return croniter(self.cron, after).get_next(datetime)

    def plan(self, now: datetime, loaded: bool) -> datetime:
        """When to run next, after an attempt that ended at `now`."""
        self.failures = 0 if loaded else self.failures + 1
        cron = self.next_cron(now)
        if loaded:
            return cron
        retry = now + timedelta(seconds=self.retry_backoff[min(self.failures, len(self.retry_backoff)) - 1])
        return min(retry, cron)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Each key a job may set, what it must be, and how that is said.
_CHECKS = {
    "cron": (lambda v: isinstance(v, str) and croniter.is_valid(v), "a cron line"),
    "timeout": (lambda v: _number(v) and v > 0, "a positive number of seconds"),
    "retry_backoff": (
        lambda v: isinstance(v, list) and v and all(_number(x) and x >= 0 for x in v),
        "a non-empty list of non-negative seconds",
    ),
    "args": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings"),
}


def load_jobs(config: Path, known_sources: list[str] | None = None) -> list[Job]:
    """Jobs from a TOML file: [defaults] then one [sources.NAME] table with `cron` per source.
    The whole file is checked before any crawl starts: every key's type and range, and (given
    `known_sources`) every source name."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{config}: {error}") from None
    defaults, sources = data.get("defaults", {}), data.get("sources", {})
    if not isinstance(defaults, dict) or not isinstance(sources, dict):
        raise ValueError(f"{config}: [defaults] and [sources.NAME] must be tables")
    jobs = []
    for source, table in sources.items():
        if known_sources is not None and source not in known_sources:
            raise ValueError(f"{config}: [sources.{source}]: unknown source; known: {', '.join(known_sources)}")
        if not isinstance(table, dict):
            raise ValueError(f"{config}: [sources.{source}] must be a table")
        options = {**defaults, **table}
        unknown = set(options) - set(_CHECKS)
        if unknown:
            raise ValueError(f"{config}: [sources.{source}] unknown keys {sorted(unknown)}")
        if "cron" not in options:
            raise ValueError(f"{config}: [sources.{source}] has no cron line")
        for key, value in options.items():
            valid, wanted = _CHECKS[key]
            if not valid(value):
                raise ValueError(f"{config}: [sources.{source}] {key} {value!r} is not {wanted}")
        jobs.append(Job(source=source, **options))
    if not jobs:
        raise ValueError(f"{config}: no [sources.NAME] table")
    return jobs


def run_job(job: Job, db: Path, logs: Path) -> bool:
    """One crawl in a subprocess; True when its run was loaded."""
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%S.%fZ")  # microseconds: two crawls started in one second
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{job.source}-{stamp}.log"
    command = [sys.executable, "-m", "labelwatch", "crawl", job.source, "--db", str(db), "-v", *job.args]
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            code = process.wait(timeout=job.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            out.write(f"\nlabelwatch schedule: killed after the {job.timeout:.0f} s timeout\n")
            code = None
    run = _last_run(db, job.source, started)
    (logs / f"{job.source}-{stamp}.stats.json").write_text(
        json.dumps({"source": job.source, "exit": code, "timed_out": code is None, "run": run}, indent=1, default=str)
    )
    loaded = code == 0 and run is not None and run["status"] == "loaded"
    logger.info("%s: %s (log %s)", job.source, "loaded" if loaded else f"not loaded (exit {code})", log)
    return loaded


def _last_run(db: Path, source: str, started: datetime) -> dict | None:
    """The source's run this attempt made (none if it was killed before recording one)."""
    from store import queries
    from store.db import DatabaseMissing, read_connection

    try:
        with read_connection(db) as con:
            runs = queries.runs(con, source, limit=1)
            if runs and runs[0]["started_at"] >= started:
                (stats,) = con.execute("SELECT stats FROM crawl_run WHERE id = $id", {"id": runs[0]["id"]}).fetchone()
                return {**runs[0], "stats": json.loads(stats) if stats else None}
    except DatabaseMissing:
        pass
    return None


def run_schedule(jobs: list[Job], db: Path, logs: Path, once: bool = False) -> bool:
    """Run jobs when due, forever; with `once`, run every job once now and return whether all loaded."""
    if once:
        return all([run_job(job, db, logs) for job in jobs])
    now = datetime.now(UTC)
    for job in jobs:
        job.due = job.next_cron(now)
    while True:
        job = min(jobs, key=lambda j: j.due)
        wait = (job.due - datetime.now(UTC)).total_seconds()
        if wait > 0:
            logger.info("next: %s at %s", job.source, job.due.isoformat(timespec="seconds"))
            time.sleep(wait)
        loaded = run_job(job, db, logs)
        job.due = job.plan(datetime.now(UTC), loaded)
