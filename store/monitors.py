"""Checks a finished run must pass before it replaces its source's current data.

A run that fails one is held back as `suspect`: not loaded, the previous data stays current,
the reasons stored; `labelwatch accept RUN` loads it deliberately. Spidermon was considered;
these few checks need the run's records next to the source's last good run in DuckDB, where
the load already has both, so they are written here as SQL over the incoming records.
"""

from dataclasses import dataclass, field
from datetime import date

import duckdb

from store.queries.snapshot import COUNTED_STATUS, RUN_DAY, in_force


@dataclass(frozen=True)
class Thresholds:
    max_drop: float = 0.30  # record count may fall at most this much against the last good run
    min_share: dict = field(default_factory=lambda: {"brand": 0.5, "category": 0.9, "validity": 0.9, "level": 0.5})
    max_errors: int = 0  # errors logged by the crawl

    @classmethod
    def from_settings(cls, settings) -> "Thresholds":
        return cls(
            max_drop=settings.getfloat("LABELWATCH_MONITOR_MAX_DROP", cls.max_drop),
            min_share={**cls().min_share, **settings.getdict("LABELWATCH_MONITOR_MIN_SHARE", {})},
            max_errors=settings.getint("LABELWATCH_MONITOR_MAX_ERRORS", cls.max_errors),
        )


# What "has the field" means for each required field of a record kind, over the incoming records.
_PRESENT = {
    "certification": {
        "brand": "brand IS NOT NULL",
        "category": "category <> 'other'",
        "validity": "valid_until IS NOT NULL OR valid_from IS NOT NULL",
        "level": "level IS NOT NULL",  # a run of level-less records would count every model at no level
    },
    "offer": {
        "brand": "brand IS NOT NULL",
        "identifier": "gtin IS NOT NULL OR mpn IS NOT NULL",
    },
}


def crawl_reasons(stats: dict, thresholds: Thresholds) -> list[str]:
    """Reasons found in the crawl's own stats: errors logged, nothing parsed."""
    reasons = []
    errors = stats.get("labelwatch/errors", 0)
    if errors > thresholds.max_errors:
        reasons.append(
            f"{errors} error(s) logged (threshold {thresholds.max_errors}); "
            f"first: {stats.get('labelwatch/first_error', '?')}"
        )
    if not stats.get("labelwatch/records_written"):
        reasons.append("parsed zero items")
    return reasons


# Records that count on a day (store.queries: status active or unknown, dates including the day).
_IN_FORCE = {"certification": f"({COUNTED_STATUS}) AND {in_force('$day')}"}


def data_reasons(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    previous_run: int,
    thresholds: Thresholds,
    day: date | None = None,
) -> list[str]:
    """Reasons found in the incoming records (temp table `incoming`) against the last good run:
    data of an earlier day than that run's (an old recording replayed late); how many arrived
    and, for label records, how many are valid on the run's `day` (default today): a run of
    archived or expired records counts nothing, however many arrive."""
    reasons = []
    present = _PRESENT[table]
    day = day or date.today()
    previous_day = con.execute(f"SELECT {RUN_DAY} FROM crawl_run WHERE id = $id", {"id": previous_run}).fetchone()
    if previous_day and day < previous_day[0]:
        reasons.append(f"its data is of {day}, older than the current data's ({previous_day[0]}, run {previous_run})")
    counts = {"record count": "true"}
    if table in _IN_FORCE:
        counts[f"records valid on {day}"] = _IN_FORCE[table]
    measured = ", ".join(f"count(*) FILTER (WHERE {test})" for test in counts.values())
    params = {"day": day} if table in _IN_FORCE else {}
    now = con.execute(f"SELECT {measured} FROM incoming c", params).fetchone()
    before = con.execute(
        f"SELECT {measured} FROM {table} c WHERE source = $s AND first_run_id <= $r AND last_run_id >= $r",
        {"s": source, "r": previous_run, **params},
    ).fetchone()
    for name, was, is_ in zip(counts, before, now, strict=True):
        if was and is_ < was * (1 - thresholds.max_drop):
            reasons.append(
                f"{name} fell {1 - is_ / was:.0%} against run {previous_run} "
                f"({was:,} → {is_:,}; threshold {thresholds.max_drop:.0%})"
            )
    incoming = now[0]
    if incoming:
        shares = con.execute(
            "SELECT "
            + ", ".join(f"avg(CASE WHEN {test} THEN 1 ELSE 0 END)" for test in present.values())
            + " FROM incoming"
        ).fetchone()
        for name, share in zip(present, shares, strict=False):
            if share < thresholds.min_share.get(name, 0):
                reasons.append(
                    f"only {share:.0%} of records have a {name} (threshold {thresholds.min_share[name]:.0%})"
                )
    return reasons
