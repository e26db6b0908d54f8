"""What a read reads: the snapshot (each source's loaded run, latest or as of a run or day), the
records at it, and the filters a buyer narrows them with (valid on a day, category, label,
market, minimum levels, flags). Every SQL builder here returns a SELECT and takes SELECTs.
"""

from dataclasses import dataclass, replace
from datetime import date

import duckdb

from store import models as schema


@dataclass(frozen=True)
class AsOf:
    """Which data to read: None = latest; an int = run id; a date = runs finished by that day."""

    run_id: int | None = None
    day: date | None = None

    @classmethod
    def parse(cls, text: str | None) -> "AsOf":
        if not text:
            return cls()
        if text.isdigit():
            return cls(run_id=int(text))
        try:
            return cls(day=date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"--as-of: {text!r} is neither a run id nor a YYYY-MM-DD date") from None


# A run's day: the day its data describes (crawl_run.data_day; runs loaded before that column
# existed have none, and theirs is the day they finished).
RUN_DAY = "coalesce(data_day, finished_at::DATE)"

# Per source, the loaded run read at an as-of run id or day (the newest whose data is of that day or before).
SNAPSHOT = f"""
    SELECT source, max(id) AS run_id, arg_max(finished_at, id) AS finished_at, arg_max({RUN_DAY}, id) AS data_day
    FROM crawl_run
    WHERE status = 'loaded'
      AND ($as_of_run::BIGINT IS NULL OR id <= $as_of_run::BIGINT)
      AND ($as_of_day::DATE IS NULL OR {RUN_DAY} <= $as_of_day::DATE)
    GROUP BY source
"""


def as_of_params(as_of: AsOf) -> dict:
    return {"as_of_run": as_of.run_id, "as_of_day": as_of.day}


@dataclass(frozen=True)
class Reading:
    """Where a read finds its records: `sql`, a SELECT of them, and its `params`. `current`: the
    SELECT reads one of the current tables (the latest data), which a query is better off
    scanning again per use, each use's filters pushed into the scan, than materialising; a
    snapshot joined from the versions is materialised once (`reuse`)."""

    sql: str
    params: dict
    current: bool

    @property
    def reuse(self) -> str:
        """How a CTE over these records is reused."""
        return "NOT MATERIALIZED" if self.current else "MATERIALIZED"


def records(con: duckdb.DuckDBPyConnection, as_of: AsOf, folded: bool = False) -> Reading:
    """The records each source is read at (`folded`: as fold() gives them). The latest data
    comes from current_certification (current_across_markets); a past snapshot (or a database
    written before that table existed, until its next load) from the versions (records_at)."""
    table = schema.current_across_markets if folded else schema.current_certification
    if as_of == AsOf() and is_current(con, table):
        return Reading(f"SELECT * FROM {table.name}", {}, current=True)
    snapped = records_at(SNAPSHOT)
    params = {**as_of_params(as_of), **snapshot_bounds(con, as_of)}
    return Reading(as_folded(snapped) if folded else snapped, params, current=False)


def reading(
    con: duckdb.DuckDBPyConnection, as_of: AsOf, valid_on: date, filters: "Filters", folded: bool = False
) -> Reading:
    """records() with the parameters of a valid() query on them."""
    found = records(con, as_of, folded)
    return replace(found, params={**found.params, "valid_on": valid_on, **filters.params()})


def snapshot_bounds(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> dict:
    """$snap_low and $snap_high: the lowest and highest run id the snapshot reads."""
    runs = [s["run_id"] for s in snapshot(con, as_of).values()] or [-1]
    return {"snap_low": min(runs), "snap_high": max(runs)}


def is_current(con: duckdb.DuckDBPyConnection, table) -> bool:
    """Whether this database has the derived table with all its columns yet (binding a query is
    cheaper than asking the catalog)."""
    try:
        con.execute(f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name} LIMIT 0")
    except (duckdb.CatalogException, duckdb.BinderException):
        return False
    return True


def snapshot(con: duckdb.DuckDBPyConnection, as_of: AsOf = AsOf()) -> dict[str, dict]:
    """Per source: the run it is read at, when that run finished and the day its data describes."""
    rows = con.execute(SNAPSHOT, as_of_params(as_of)).fetchall()
    return {
        source: {"run_id": run_id, "finished_at": finished, "data_day": day} for source, run_id, finished, day in rows
    }


def default_valid_on(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> date:
    """The day validity is judged on: today, or the day of the as-of run or date."""
    if as_of.day:
        return as_of.day
    if as_of.run_id is not None:
        row = con.execute(
            f"SELECT {RUN_DAY} FROM crawl_run WHERE id = $id AND finished_at IS NOT NULL", {"id": as_of.run_id}
        ).fetchone()
        if row is None:
            raise ValueError(f"--as-of: no finished run {as_of.run_id}")
        return row[0]
    return date.today()


# Keys for counting, precomputed in current_certification and computed for past snapshots. A
# group is (source, label, level, category), a cell (source, label, category), a model
# (normalised brand or none, model key); no brand or certificate id: no key, not counted.
COUNTING_KEYS = {
    "group_id": "hash(c.source, c.label, c.level, c.category)",
    "cell_id": "hash(c.source, c.label, c.category)",
    "model_id": "hash(c.brand_normalised, c.model_key)",
    "brand_id": "CASE WHEN c.brand_normalised IS NOT NULL THEN hash(c.brand_normalised) END",
    "certificate_hash": "CASE WHEN c.certificate_id IS NOT NULL THEN hash(c.certificate_id) END",
}


# Per source and run: the one run read. Params: $source, $run_id.
ONE_RUN = "SELECT $source::VARCHAR AS source, $run_id::BIGINT AS run_id"


def versions_at(snap: str) -> str:
    """SELECT the versions current at each source's snapshot run (`snap`: a SELECT of source,
    run_id), where $snap_low/$snap_high bound the snapshot's run ids so the scan skips, column
    by column, the versions of other runs before the join picks each source's run."""
    return f"""SELECT c.* FROM certification c
        JOIN ({snap}) s ON c.source = s.source AND c.first_run_id <= s.run_id AND c.last_run_id >= s.run_id
        WHERE c.last_run_id >= $snap_low::BIGINT AND c.first_run_id <= $snap_high::BIGINT"""


def records_at(snap: str) -> str:
    """SELECT the counted records current at each source's snapshot run (see versions_at), as
    counted() gives them."""
    return counted(versions_at(snap))


# A model's last day certified (an aggregate over its records): None while any of its
# certificates is open-ended.
LAST_DAY = "CASE WHEN bool_or(valid_until IS NULL) THEN NULL ELSE max(valid_until) END"

# What a model's records state (crawlers.measures), an aggregate over them: the measures of the
# record at the best level, of several the one stating the most; None when none states any.
STATED_MEASURES = """first(measures ORDER BY level_rank DESC NULLS LAST, cardinality(measures) DESC, certificate_id)
                     FILTER (WHERE cardinality(measures) > 0)"""

COUNTED_STATUS = "c.status IS NULL OR upper(c.status) = 'ACTIVE'"  # archived, expired, withdrawn: not counted


def in_force(on: str) -> str:
    """A record (alias c) whose dates include the day `on` (an expression); no date is no bound."""
    return f"(c.valid_until IS NULL OR c.valid_until >= {on}) AND (c.valid_from IS NULL OR c.valid_from <= {on})"


def counted(records: str) -> str:
    """SELECT the counted records (status active or unknown) of `records` (a SELECT of records:
    versions_at, or a load's records) with their COUNTING_KEYS, the hash of their GTIN list
    (`gtins_hash`, see gtin_lists), `model_records` (the model's records in its cell) and a
    `product_key` the re-link fills in (store.products): what current_certification holds for
    the latest runs."""
    keys = ", ".join(f"{expression} AS {name}" for name, expression in COUNTING_KEYS.items())
    return f"""
        WITH r AS (SELECT c.*, {keys}, hash(c.gtins) AS gtins_hash FROM ({records}) c
                   WHERE {COUNTED_STATUS})
        SELECT r.*, n.model_records, NULL::UBIGINT AS product_key FROM r
        JOIN (SELECT cell_id, model_id, count(*)::INTEGER AS model_records FROM r GROUP BY ALL) n USING (cell_id, model_id)
    """


def gtin_lists(records: str) -> str:
    """SELECT source, gtins_hash, gtin: the distinct GTIN lists of `records` (as counted() takes
    them), unnested, what current_gtin holds for the latest runs. Lists are told apart by their
    64-bit hash, as versions are."""
    return f"""
        SELECT c.source, hash(c.gtins) AS gtins_hash, unnest(any_value(c.gtins)) AS gtin FROM ({records}) c
        GROUP BY c.source, hash(c.gtins)
    """


# What a count can tell apart within a product's registrations: everything but the market.
FOLDED_BY = (
    "source",
    "label",
    "level",
    "category",
    "brand_normalised",
    "group_id",
    "cell_id",
    "model_id",
    "brand_id",
    "certificate_hash",
    "level_rank",
    "flags",
    "valid_from",
    "valid_until",
    "measures",
    "product_key",
)


# A folded row's markets (aggregated over its records) and whether one of them had none.
MARKETS = (
    "coalesce(list_distinct(list(market) FILTER (WHERE market IS NOT NULL)), []::VARCHAR[]) AS markets, "
    "bool_or(market IS NULL) AS worldwide"
)


def fold(records: str) -> str:
    """SELECT `records` (with counting keys) folded across markets: one row per FOLDED_BY with
    its `markets` and `worldwide` (one record had no market), and whether another row of its
    group has the same model (`model_shared`) or certificate (`certificate_shared`). A row
    passes a filter exactly when one of its records does, so counts over folded rows are the
    counts over records: what current_across_markets holds for the latest runs."""
    columns = ", ".join(FOLDED_BY)
    return f"""
        WITH f AS (SELECT {columns}, {MARKETS} FROM ({records}) GROUP BY {columns})
        SELECT f.*, m.n > 1 AS model_shared, coalesce(c.n > 1, false) AS certificate_shared FROM f
        JOIN (SELECT group_id, model_id, count(*) AS n FROM f GROUP BY ALL) m USING (group_id, model_id)
        LEFT JOIN (SELECT group_id, certificate_hash, count(*) AS n FROM f WHERE certificate_hash IS NOT NULL
                   GROUP BY ALL) c USING (group_id, certificate_hash)
    """


@dataclass(frozen=True)
class Filters:
    """What a buyer narrows the counts to. `market` keeps that country's registrations plus
    global certificates. `min_levels`: (label, rank) pairs; a record of that label counts only
    when its level ranks at least that high on the label's scale (an unknown level does not);
    other labels' records pass. `flags`: (source, flag) pairs; a record of that source counts
    only when it carries the flag; other sources' records pass. `min_measures`: (measure, value)
    pairs; a record counts only when it states the measure at or above the value (a record, or
    a label, that does not state it does not meet it). Ranks, flags and criteria come from the
    sources' declarations (crawlers.sources), which the callers read."""

    category: str | None = None
    label: str | None = None
    market: str | None = None
    min_levels: tuple[tuple[str, int], ...] = ()
    flags: tuple[tuple[str, str], ...] = ()
    min_measures: tuple[tuple[str, float], ...] = ()

    def params(self) -> dict:
        return {
            "category": self.category,
            "label": self.label,
            "market": self.market,
            "min_levels": [{"label": label, "rank": rank} for label, rank in self.min_levels] or None,
            "flags": [{"source": source, "flag": flag} for source, flag in self.flags] or None,
            "min_measures": [{"measure": m, "value": float(v)} for m, v in self.min_measures] or None,
        }


# The parameter types of Filters.params()' lists.
_MIN_LEVELS = "$min_levels::STRUCT(label VARCHAR, rank INTEGER)[]"


_FLAGS = "$flags::STRUCT(source VARCHAR, flag VARCHAR)[]"


_MIN_MEASURES = "$min_measures::STRUCT(measure VARCHAR, value DOUBLE)[]"


def as_folded(records: str) -> str:
    """SELECT `records` in the shape of fold() rows, each its own row: counting them treats
    every model and certificate as shared, which is exact, only slower than folding first (a
    past snapshot is read once; folding it would cost more than it saves)."""
    return f"""
        SELECT *, CASE WHEN market IS NULL THEN []::VARCHAR[] ELSE [market] END AS markets,
               market IS NULL AS worldwide, true AS model_shared, true AS certificate_shared
        FROM ({records})
    """


def valid(columns: str, records: str, folded: bool = False, on: str = "$valid_on::DATE") -> str:
    """SELECT columns (alias c) of `records` (records_at or, `folded`, rows shaped as fold()
    gives them, or the current tables holding them) valid on the day `on` (an expression),
    narrowed by Filters.params()."""
    in_market = (
        "c.worldwide OR list_contains(c.markets, $market::VARCHAR)"
        if folded
        else "c.market IS NULL OR c.market = $market::VARCHAR"
    )
    return f"""
        SELECT {columns} FROM ({records}) c
        WHERE {in_force(on)}
          AND ($category::VARCHAR IS NULL OR c.category = $category::VARCHAR)
          AND ($label::VARCHAR IS NULL OR c.label = $label::VARCHAR)
          AND ($market::VARCHAR IS NULL OR {in_market})
          AND ({_MIN_LEVELS} IS NULL
               OR list_bool_and(list_transform({_MIN_LEVELS}, lambda m: m.label <> c.label OR c.level_rank >= m.rank)))
          AND ({_FLAGS} IS NULL
               OR list_bool_and(list_transform({_FLAGS}, lambda f: f.source <> c.source OR list_contains(c.flags, f.flag))))
          AND ({_MIN_MEASURES} IS NULL
               OR list_bool_and(list_transform({_MIN_MEASURES}, lambda m: coalesce(c.measures[m.measure] >= m.value, false))))
    """


def rows(cursor) -> list[dict]:
    """A cursor's result as dicts keyed by column name."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
