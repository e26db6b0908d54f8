"""Measures (crawlers.measures) of the models valid on a day, whatever their source: how many
reach each threshold of one measure (energy use at least 20 % below the label's limit), and a
measure's median per band of another (on-mode power per screen size). Every record carries its
measures as a map, name → value; a model registered in several markets counts once."""

from datetime import date

import duckdb

from store.queries.snapshot import AsOf, Filters, reading, rows, valid


def _measured(found_sql: str, *measures: str) -> str:
    """SELECT label, category, model_id and each of `measures` (bound as $measure_0, …): one row
    per valid model that has all of them (its records in several markets carry the same values)."""
    values = ", ".join(f"max(c.measures[$measure_{i}]) AS value_{i}" for i in range(len(measures)))
    present = " AND ".join(f"c.measures[$measure_{i}] IS NOT NULL" for i in range(len(measures)))
    return f"""
        SELECT c.label, c.category, c.model_id, {values}
        FROM ({valid("c.*", found_sql)}) c
        WHERE c.measures IS NOT NULL AND {present}
        GROUP BY c.label, c.category, c.model_id"""


def measure_thresholds(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    measure: str,
    thresholds: list[float],
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
) -> list[dict]:
    """Per label, category and threshold: the valid models with `measure` (`measured`) and those
    whose value is at least the threshold (`models`)."""
    found = reading(con, as_of, valid_on, filters)
    sql = f"""
        WITH measured AS ({_measured(found.sql, measure)}),
        thresholds AS (SELECT unnest($thresholds::DOUBLE[]) AS threshold)
        SELECT m.label, m.category, t.threshold,
               count(*) FILTER (WHERE m.value_0 >= t.threshold) AS models, count(*) AS measured
        FROM measured m CROSS JOIN thresholds t
        GROUP BY m.label, m.category, t.threshold
        ORDER BY m.label, m.category, t.threshold
    """
    return rows(con.execute(sql, {**found.params, "measure_0": measure, "thresholds": thresholds}))


def measure_by_band(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    measure: str,
    by: str,
    bounds: list[float],
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
) -> list[dict]:
    """Per label, category and band of `by` (from one bound up to the next; the last band has no
    upper bound): the valid models with both measures and the median, lowest and highest value
    of `measure`. `band_from`/`band_to` name the band (`band_to` None: and above)."""
    found = reading(con, as_of, valid_on, filters)
    sql = f"""
        WITH measured AS ({_measured(found.sql, measure, by)}),
        bands AS (
            SELECT bound AS band_from, lead(bound) OVER (ORDER BY bound) AS band_to
            FROM (SELECT unnest($bounds::DOUBLE[]) AS bound))
        SELECT m.label, m.category, b.band_from, b.band_to, count(*) AS models,
               median(m.value_0) AS median, min(m.value_0) AS lowest, max(m.value_0) AS highest
        FROM measured m JOIN bands b ON m.value_1 >= b.band_from AND (b.band_to IS NULL OR m.value_1 < b.band_to)
        GROUP BY m.label, m.category, b.band_from, b.band_to
        ORDER BY m.label, m.category, b.band_from
    """
    return rows(con.execute(sql, {**found.params, "measure_0": measure, "measure_1": by, "bounds": bounds}))
