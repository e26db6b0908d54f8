"""The scheduler: when jobs run, how failures are retried sooner, and a real --once round."""

import json
from datetime import UTC, datetime

import pytest
from conftest import SNAPSHOTS, run_cli

from crawlers.schedule import Job, load_jobs


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_loaded_run_waits_for_the_next_cron_time():
    job = Job("tco", "0 3 * * 1")  # Mondays 03:00
    assert job.plan(at("2026-11-26 10:00"), loaded=True) == at("2026-11-30 03:00")


def test_failures_are_retried_sooner_with_backoff_never_after_the_cron_time():
    job = Job("tco", "0 3 * * *", retry_backoff=[60, 600])
    assert job.plan(at("2026-11-26 10:00"), loaded=False) == at("2026-11-26 10:01")
    assert job.plan(at("2026-11-26 10:01"), loaded=False) == at("2026-11-26 10:11")
    assert job.plan(at("2026-11-26 10:11"), loaded=False) == at("2026-11-26 10:21")  # the last value repeats
    assert job.plan(at("2026-11-27 02:55"), loaded=False) == at("2026-11-27 03:00")  # cron comes first
    assert job.plan(at("2026-11-27 03:30"), loaded=True) == at("2026-11-28 03:00") and job.failures == 0


def test_config_errors_name_the_file_and_table(tmp_path):
    config = tmp_path / "schedule.toml"
    config.write_text('[sources.tco]\ncron = "every monday"\n')
    with pytest.raises(ValueError, match=r"\[sources.tco\] cron 'every monday' is not a cron line"):
        load_jobs(config)
    config.write_text('[sources.tco]\ncron = "0 3 * * 1"\nretries = 3\n')
    with pytest.raises(ValueError, match=r"unknown keys \['retries'\]"):
        load_jobs(config)
    for table, message in [
        (
            'cron = "0 3 * * 1"\nretry_backoff = []',
            r"retry_backoff \[\] is not a non-empty list of non-negative seconds",
        ),
        ('cron = "0 3 * * 1"\nretry_backoff = [60, -1]', r"retry_backoff \[60, -1\] is not a non-empty list"),
        ('cron = "0 3 * * 1"\ntimeout = -5', "timeout -5 is not a positive number of seconds"),
        ('cron = "0 3 * * 1"\ntimeout = "1h"', "timeout '1h' is not a positive number of seconds"),
        ('cron = "0 3 * * 1"\nargs = "--replay x"', "args '--replay x' is not a list of strings"),
        ("timeout = 60", r"\[sources.tco\] has no cron line"),
        ("cron = 5", "cron 5 is not a cron line"),
    ]:
        config.write_text(f"[sources.tco]\n{table}\n")
        with pytest.raises(ValueError, match=message):
            load_jobs(config)
    config.write_text('[sources.tco]\ncron = "0 3 * * 1"\n[sources.energystar]\ncron = "0 3 * * 1"\n')
    with pytest.raises(ValueError, match=r"\[sources.energystar\]: unknown source; known: epeat, offers, tco"):
        load_jobs(config, ["epeat", "offers", "tco"])
    example = load_jobs(__import__("conftest").ROOT / "crawlers" / "schedule.example.toml")
    assert [(j.source, j.cron, j.timeout) for j in example] == [
        ("tco", "0 3 * * 1", 7200),
        ("epeat", "0 4 * * 1", 7200),
    ]


def test_once_runs_each_source_in_its_own_process_with_log_and_stats(tmp_path):
    config = tmp_path / "schedule.toml"
    config.write_text(f'''
[defaults]
args = ["--replay", "{SNAPSHOTS}"]
timeout = 120
[sources.tco]
cron = "0 3 * * 1"
[sources.epeat]
cron = "0 4 * * 1"
timeout = 4
args = ["--replay", "{SNAPSHOTS}", "--set", "LABELWATCH_REPLAY_DELAY=3"]
''')
    db = tmp_path / "lw.duckdb"
    result = run_cli("schedule", "--config", config, "--once", "--db", db)
    assert result.returncode == 1  # epeat was killed at its timeout
    logs = db.parent / "logs"
    tco_stats = json.loads(next(logs.glob("tco-*.stats.json")).read_text())
    assert tco_stats["exit"] == 0 and tco_stats["run"]["status"] == "loaded"
    assert tco_stats["run"]["stats"]["labelwatch/records_written"] == 1222
    assert "tco: run 1 loaded" in next(logs.glob("tco-*.log")).read_text()
    epeat_stats = json.loads(next(logs.glob("epeat-*.stats.json")).read_text())
    assert epeat_stats["timed_out"] is True and epeat_stats["run"]["status"] == "killed"
    assert "killed after the 4 s timeout" in next(logs.glob("epeat-*.log")).read_text()
    runs = json.loads(run_cli("runs", "-f", "json", "--db", db, check=True).stdout)
    assert sorted((r["source"], r["status"]) for r in runs) == [("epeat", "killed"), ("tco", "loaded")]
