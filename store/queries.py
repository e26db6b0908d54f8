"""Read-side queries shared by `labelwatch report`, `labelwatch runs` and the dashboard.

Every function takes an open DuckDB connection and binds all values as parameters.
A snapshot is the run each source is read at: its latest loaded run, or the latest loaded run
at or before an `as_of` run id or date.
"""

import os
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


_SNAPSHOT = """
    SELECT source, max(id) AS run_id, arg_max(finished_at, id) AS finished_at FROM crawl_run
    WHERE status = 'loaded'
      AND ($as_of_run::BIGINT IS NULL OR id <= $as_of_run::BIGINT)
      AND ($as_of_day::DATE IS NULL OR finished_at < $as_of_day::DATE + INTERVAL 1 DAY)
    GROUP BY source
"""


def _as_of_params(as_of: AsOf) -> dict:
    return {"as_of_run": as_of.run_id, "as_of_day": as_of.day}


def _records(con: duckdb.DuckDBPyConnection, as_of: AsOf, folded: bool = False) -> tuple[str, dict]:
    """SELECT of the records each source is read at (`folded`: as fold() gives them), and its
    parameters. The latest data comes from current_certification (current_across_markets); a
    past snapshot (or a database written before that table existed, until its next load) from
    the versions (records_at)."""
    table = schema.current_across_markets if folded else schema.current_certification
    if as_of == AsOf() and _is_current(con, table):
        return f"SELECT * FROM {table.name}", {}
    records = records_at(_SNAPSHOT)
    return as_folded(records) if folded else records, {**_as_of_params(as_of), **_snapshot_bounds(con, as_of)}


def _reuse(records: str) -> str:
    """How a CTE over `records` (from _records) is best reused: a current table is cheaper to
    scan again per use, with each use's filters pushed into the scan, than to materialise; a
    snapshot joined from the versions is not."""
    current = records in (
        f"SELECT * FROM {t.name}" for t in (schema.current_certification, schema.current_across_markets)
    )
    return "NOT MATERIALIZED" if current else "MATERIALIZED"


def _offer_candidates(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> tuple[str, dict]:
    """SELECT the offer_candidates() of the snapshot's offers (the CTE `o` of offer_labels)
    and records, and its parameters, as _records(): the latest from current_offer_match."""
    if as_of == AsOf() and _is_current(con, schema.current_offer_match):
        return f"SELECT * FROM {schema.current_offer_match.name}", {}
    return offer_candidates("SELECT * FROM o", records_at(_SNAPSHOT), gtin_lists(versions_at(_SNAPSHOT))), {
        **_as_of_params(as_of),
        **_snapshot_bounds(con, as_of),
    }


def _snapshot_bounds(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> dict:
    """$snap_low and $snap_high: the lowest and highest run id the snapshot reads."""
    runs = [s["run_id"] for s in snapshot(con, as_of).values()] or [-1]
    return {"snap_low": min(runs), "snap_high": max(runs)}


def _is_current(con: duckdb.DuckDBPyConnection, table) -> bool:
    """Whether this database has the derived table with all its columns yet (binding a query is
    cheaper than asking the catalog)."""
    try:
        con.execute(f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name} LIMIT 0")
    except (duckdb.CatalogException, duckdb.BinderException):
        return False
    return True


def _reading(
    con: duckdb.DuckDBPyConnection, as_of: AsOf, valid_on: date, filters: "Filters", folded: bool = False
) -> tuple[str, dict]:
    """_records() and the parameters of a valid() query on them."""
    records, params = _records(con, as_of, folded)
    return records, {**params, "valid_on": valid_on, **filters.params()}


def snapshot(con: duckdb.DuckDBPyConnection, as_of: AsOf = AsOf()) -> dict[str, dict]:
    """Per source: the run it is read at and when that run finished."""
    rows = con.execute(_SNAPSHOT, _as_of_params(as_of)).fetchall()
    return {source: {"run_id": run_id, "finished_at": finished} for source, run_id, finished in rows}


def default_valid_on(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> date:
    """The day validity is judged on: today, or the day of the as-of run or date."""
    if as_of.day:
        return as_of.day
    if as_of.run_id is not None:
        row = con.execute("SELECT finished_at FROM crawl_run WHERE id = $id", {"id": as_of.run_id}).fetchone()
        if row is None or row[0] is None:
            raise ValueError(f"--as-of: no finished run {as_of.run_id}")
        return row[0].date()
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
    """FROM and WHERE of the versions (alias c) current at each source's snapshot run (`snap`: a
    SELECT of source, run_id), where $snap_low/$snap_high bound the snapshot's run ids so the
    scan skips, column by column, the versions of other runs before the join picks each
    source's run."""
    return f"""certification c
        JOIN ({snap}) s ON c.source = s.source AND c.first_run_id <= s.run_id AND c.last_run_id >= s.run_id
        WHERE c.last_run_id >= $snap_low::BIGINT AND c.first_run_id <= $snap_high::BIGINT"""


def records_at(snap: str) -> str:
    """SELECT the counted records current at each source's snapshot run (see versions_at), as
    counted() gives them."""
    return counted(versions_at(snap))


def counted(rows: str) -> str:
    """SELECT the counted records (status active or unknown) of `rows` (FROM and WHERE of
    records, alias c: versions_at, or a load's records) with their COUNTING_KEYS, the hash of
    their GTIN list (`gtins_hash`, see gtin_lists) and `model_records` (the model's records in
    its cell): what current_certification holds for the latest runs."""
    keys = ", ".join(f"{expression} AS {name}" for name, expression in COUNTING_KEYS.items())
    return f"""
        WITH r AS (SELECT c.*, {keys}, hash(c.gtins) AS gtins_hash FROM {rows}
                   AND (c.status IS NULL OR upper(c.status) = 'ACTIVE'))
        SELECT r.*, n.model_records FROM r
        JOIN (SELECT cell_id, model_id, count(*)::INTEGER AS model_records FROM r GROUP BY ALL) n USING (cell_id, model_id)
    """


def gtin_lists(rows: str) -> str:
    """SELECT source, gtins_hash, gtin: the distinct GTIN lists of `rows` (as counted() takes
    them), unnested, what current_gtin holds for the latest runs. Lists are told apart by their
    64-bit hash, as versions are."""
    return f"""
        SELECT c.source, hash(c.gtins) AS gtins_hash, unnest(any_value(c.gtins)) AS gtin FROM {rows}
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
)


# A folded row's markets (aggregated over its records) and whether one of them had none.
_MARKETS = (
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
        WITH f AS (SELECT {columns}, {_MARKETS} FROM ({records}) GROUP BY {columns})
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
    only when it carries the flag; other sources' records pass. Ranks and flags come from the
    sources' declarations (crawlers.sources), which the callers read."""

    category: str | None = None
    label: str | None = None
    market: str | None = None
    min_levels: tuple[tuple[str, int], ...] = ()
    flags: tuple[tuple[str, str], ...] = ()

    def params(self) -> dict:
        return {
            "category": self.category,
            "label": self.label,
            "market": self.market,
            "min_levels": [{"label": label, "rank": rank} for label, rank in self.min_levels] or None,
            "flags": [{"source": source, "flag": flag} for source, flag in self.flags] or None,
        }


# The parameter types of Filters.params()' lists.
_MIN_LEVELS = "$min_levels::STRUCT(label VARCHAR, rank INTEGER)[]"
_FLAGS = "$flags::STRUCT(source VARCHAR, flag VARCHAR)[]"


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
        WHERE (c.valid_until IS NULL OR c.valid_until >= {on})
          AND (c.valid_from IS NULL OR c.valid_from <= {on})
          AND ($category::VARCHAR IS NULL OR c.category = $category::VARCHAR)
          AND ($label::VARCHAR IS NULL OR c.label = $label::VARCHAR)
          AND ($market::VARCHAR IS NULL OR {in_market})
          AND ({_MIN_LEVELS} IS NULL
               OR list_bool_and(list_transform({_MIN_LEVELS}, lambda m: m.label <> c.label OR c.level_rank >= m.rank)))
          AND ({_FLAGS} IS NULL
               OR list_bool_and(list_transform({_FLAGS}, lambda f: f.source <> c.source OR list_contains(c.flags, f.flag))))
    """


COUNTS = """count(DISTINCT model_id) AS models, count(DISTINCT brand_id) AS brands,
            count(DISTINCT certificate_hash) AS certificates"""


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def _counted(scope: str, rows: str) -> str:
    """SELECT scope, models, brands, certificates of `rows` (fold() rows, or rows unnested from
    them per market) per `scope` (columns). A model or certificate that no other row of its
    group has counts by itself; only the shared ones go through an exact distinct count, which
    is what keeps counting a few hundred thousand rows fast."""
    return f"""
        WITH r AS ({rows}),
        lone AS (SELECT {scope}, count(*) FILTER (WHERE NOT model_shared) AS models, count(DISTINCT brand_id) AS brands,
                        count(*) FILTER (WHERE certificate_hash IS NOT NULL AND NOT certificate_shared) AS certificates
                 FROM r GROUP BY {scope}),
        shared_models AS (SELECT {scope}, count(DISTINCT model_id) AS n FROM r WHERE model_shared GROUP BY {scope}),
        shared_certificates AS (SELECT {scope}, count(DISTINCT certificate_hash) AS n FROM r
                                WHERE certificate_shared GROUP BY {scope})
        SELECT {scope}, l.models + coalesce(m.n, 0) AS models, l.brands, l.certificates + coalesce(c.n, 0) AS certificates
        FROM lone l LEFT JOIN shared_models m USING ({scope}) LEFT JOIN shared_certificates c USING ({scope})
    """


def availability(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    by_market: bool = True,
) -> list[dict]:
    """Valid models, brands and certificates per source, label, level, category and market.

    models = distinct (normalised brand, model name); a model with unknown brand counts once
    per name. brands = distinct known normalised brands. Per-country registries give a row per
    market (unless `by_market` is False) and an "any market" row (market None), where a product
    registered in 20 countries counts once; global certificates (TCO) have market None. With a
    market filter, that market's rows and the global rows are given.
    """
    records, params = _reading(con, as_of, valid_on, filters, folded=True)
    columns = "group_id, model_id, model_shared, brand_id, certificate_hash, certificate_shared"
    per_market = f"""
        SELECT {columns}, unnest(markets) AS market FROM cur WHERE $by_market AND $market::VARCHAR IS NULL
        UNION ALL
        SELECT {columns}, $market::VARCHAR FROM cur WHERE list_contains(markets, $market::VARCHAR)"""
    any_market = f"SELECT {columns} FROM cur WHERE $market::VARCHAR IS NULL OR worldwide"
    sql = f"""
        WITH cur AS {_reuse(records)} ({valid("c.*", records, folded=True)}),
        counts AS (
            SELECT * FROM ({_counted("group_id, market", per_market)})
            UNION ALL
            SELECT group_id, NULL, models, brands, certificates FROM ({_counted("group_id", any_market)})),
        groups AS (SELECT group_id, first(source) AS source, first(label) AS label, first(level) AS level,
                          first(category) AS category, first(level_rank) AS level_rank FROM cur GROUP BY group_id)
        SELECT g.source, g.label, g.level, g.category, n.market, n.models, n.brands, n.certificates
        FROM counts n JOIN groups g USING (group_id)
        ORDER BY g.source, g.label, g.level_rank NULLS LAST, g.level,
                 g.category, n.market NULLS FIRST
    """
    return _rows(con.execute(sql, {**params, "by_market": by_market}))


def models(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    limit: int = 10_000,
) -> list[dict]:
    """The valid records behind availability(), one row per record."""
    records, params = _reading(con, as_of, valid_on, filters)
    sql = (
        valid(
            """c.source, c.label, c.level, c.category, c.market, c.brand_normalised AS brand, c.model,
                     c.certificate_id, c.valid_from, c.valid_until, c.flags, c.url""",
            records,
        )
        + """
        ORDER BY c.source, c.brand_normalised NULLS LAST, c.model, c.market NULLS FIRST, c.record_key
        LIMIT $limit"""
    )
    return _rows(con.execute(sql, {**params, "limit": limit}))


def label_totals(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per label: distinct models and known brands valid on the day, over all its levels,
    categories and markets (the availability page's headline)."""
    records, params = _reading(con, as_of, valid_on, filters, folded=True)
    sql = f"""
        SELECT label, count(DISTINCT model_id) AS models, count(DISTINCT brand_id) AS brands
        FROM ({valid("c.label, c.model_id, c.brand_id", records, folded=True)}) GROUP BY label ORDER BY label
    """
    return _rows(con.execute(sql, params))


# A model's last day certified in a cell: None while any of its certificates is open-ended.
_LAST_DAY = "CASE WHEN bool_or(valid_until IS NULL) THEN NULL ELSE max(valid_until) END"


def qualifying(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    labels: list[str] | None = None,
    limit: int | None = None,
) -> list[dict]:
    """One row per model qualifying under a label (one of `labels`, if given) in a category: its
    best level, certificate ids, the last day it stays certified (None: open-ended, e.g. EPEAT
    until archived), the number of markets it is registered in (0: a global certificate) and a
    registry link; the first `limit` by label, category, brand and model. A model with one
    record is that record; only models with several are aggregated."""
    records, params = _reading(con, as_of, valid_on, filters)
    sql = f"""
        WITH v AS {_reuse(records)} (SELECT * FROM ({valid("c.*", records)})
                   WHERE $labels::VARCHAR[] IS NULL OR list_contains($labels::VARCHAR[], label))
        SELECT source, label, category, brand_normalised AS brand, model_key, model, level,
               coalesce(certificate_id, '') AS certificates, valid_from, valid_until,
               (market IS NOT NULL)::BIGINT AS markets, url
        FROM v WHERE model_records = 1
        UNION ALL
        SELECT any_value(source), any_value(label), any_value(category), any_value(brand_normalised),
               any_value(model_key), min(model), arg_max(level, level_rank),
               array_to_string(list_sort(list_distinct(list(certificate_id))), ', '),
               min(valid_from), {_LAST_DAY}, count(DISTINCT market), min(url)
        FROM v WHERE model_records > 1 GROUP BY cell_id, model_id
        ORDER BY label, category, brand NULLS LAST, model_key LIMIT $limit
    """
    return _rows(con.execute(sql, {**params, "labels": labels, "limit": limit}))


def qualifying_brands(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    labels: list[str],
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
) -> list[dict]:
    """Models qualifying per label of `labels` and brand (None: unknown), and per brand under any
    of them (label None): the pre-tender check's counts, the same models qualifying() lists."""
    records, params = _reading(con, as_of, valid_on, filters, folded=True)
    sql = f"""
        SELECT label, brand_normalised AS brand, count(DISTINCT model_id) AS models
        FROM ({valid("c.label, c.brand_normalised, c.model_id", records, folded=True)})
        WHERE list_contains($labels::VARCHAR[], label)
        GROUP BY GROUPING SETS ((label, brand_normalised), (brand_normalised))
        ORDER BY label NULLS LAST, brand NULLS LAST
    """
    return _rows(con.execute(sql, {**params, "labels": labels}))


EXPIRY_HORIZONS = (6, 12, 24)  # months


def expiry(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per label and category: models qualifying on `valid_on`, how many of them lose their
    certificate within 6, 12 and 24 months (a model keeps qualifying until its last certificate
    ends), and how many have no end date."""
    records, params = _reading(con, as_of, valid_on, filters, folded=True)
    horizons = ", ".join(
        f'count(*) FILTER (WHERE valid_until < $valid_on::DATE + INTERVAL {m} MONTH) AS "lose within {m} months"'
        for m in EXPIRY_HORIZONS
    )
    sql = f"""
        SELECT label, category, count(*) AS qualifying, {horizons},
               count(*) FILTER (WHERE valid_until IS NULL) AS "no end date"
        FROM (SELECT any_value(label) AS label, any_value(category) AS category, {_LAST_DAY} AS valid_until
              FROM ({valid("c.*", records, folded=True)}) GROUP BY cell_id, model_id)
        GROUP BY label, category ORDER BY label, category
    """
    return _rows(con.execute(sql, params))


NO_LABEL = "no label found"


# The offers of each offer source's snapshot run. Params: $as_of_run, $as_of_day.
OFFERS_AT = f"""SELECT o.* FROM offer o JOIN ({_SNAPSHOT}) s
                ON o.source = s.source AND o.first_run_id <= s.run_id AND o.last_run_id >= s.run_id"""


# What a matched record brings to the offers read: what it shows and what valid() filters on
# (with its markets).
MATCHED_COLUMNS = (
    "source",
    "label",
    "level",
    "level_rank",
    "category",
    "certificate_id",
    "model",
    "valid_from",
    "valid_until",
    "flags",
)


def offer_candidates(offers: str, records: str, gtins: str) -> str:
    """SELECT offer_key, matched_by, key_length, MATCHED_COLUMNS, markets and worldwide: the
    label `records` (with gtins_hash) each of `offers` may match, whatever the day and filters,
    folded across markets as fold() does: by GTIN-14 (`gtins`: the records' gtin_lists()), and
    by brand and model name (the offer's model key equal to, or starting with, the record's
    model key once the brand in front is dropped; `key_length`: that key's length). What
    current_offer_match holds for the latest runs."""
    name_key = (
        "CASE WHEN starts_with(c.model_key, lower(c.brand_normalised) || ' ') "
        "THEN substr(c.model_key, length(c.brand_normalised) + 2) ELSE c.model_key END"
    )
    record = ", ".join(f"c.{column}" for column in (*MATCHED_COLUMNS, "market"))
    return f"""
        WITH offered AS ({offers}), labelled AS ({records}),
        offer_keys AS (  -- an offer's model key and each part of it that ends before a space
            SELECT record_key, brand_normalised, unnest(list_transform(range(1, len(words) + 1),
                                                                       lambda i: array_to_string(words[1:i], ' '))) AS key
            FROM (SELECT *, string_split(model_key, ' ') AS words FROM offered WHERE brand_normalised IS NOT NULL))
        SELECT offer_key, matched_by, key_length, {", ".join(MATCHED_COLUMNS)}, {_MARKETS} FROM (
            SELECT o.record_key AS offer_key, 'gtin' AS matched_by, NULL::INTEGER AS key_length, {record}
            FROM offered o JOIN ({gtins}) g ON g.gtin = o.gtin
            JOIN labelled c ON c.source = g.source AND c.gtins_hash = g.gtins_hash
            UNION ALL
            SELECT k.record_key, 'brand and model', length(k.key), {record}
            FROM offer_keys k JOIN labelled c ON c.brand_normalised = k.brand_normalised AND {name_key} = k.key)
        GROUP BY ALL
    """


# A GTIN match's precedence over a brand-and-model match, whatever the length of its key.
GTIN_FIRST = 2**31 - 1

# The spans of days offer_labels() judges an offer's candidates (CTE `m`) on. A read's: the one day
# $valid_on. The latest data's: each offer's days from -infinity to infinity, cut where one of
# its candidates starts or stops being valid, so within a span the same ones are valid as on
# its first day.
ON_THE_DAY = (
    "SELECT DISTINCT offer_key, $valid_on::DATE AS shown_from, $valid_on::DATE AS shown_until, "
    "$valid_on::DATE AS day FROM m"
)
ALL_DAYS = """
    SELECT offer_key, day AS shown_from,
           coalesce(lead(day) OVER (PARTITION BY offer_key ORDER BY day) - 1, 'infinity'::DATE) AS shown_until, day
    FROM (SELECT offer_key, '-infinity'::DATE AS day FROM m
          UNION SELECT offer_key, unnest([valid_from, valid_until + 1]) FROM m)
    WHERE day IS NOT NULL
"""


def offer_labels(offers: str, candidates: str, spans: str) -> str:
    """SELECT offer_key, shown_from, shown_until, label, category, level, certificates,
    label_models, matched_by: per offer of `offers` and span of days (`spans`: ON_THE_DAY or
    ALL_DAYS), each label it matches among its `candidates` (offer_candidates()) valid on the
    span's day, narrowed by Filters.params(): by GTIN first; an offer no GTIN matched, by brand
    and model name, the longest key per label winning. Per offer, label and category (the
    offer's own if the record has none): the best level, the certificate ids, how many label
    records' models matched, and how. A span in which an offer matches nothing has no row.
    What current_offer_label holds for the latest runs."""
    judged = "SELECT m.*, s.shown_from, s.shown_until, s.day FROM m JOIN s ON s.offer_key = m.offer_key"
    return f"""
        WITH o AS ({offers}), m AS ({candidates}), s AS ({spans}),
        found AS ({
        valid(
            "c.offer_key, c.shown_from, c.shown_until, c.label, c.level, c.level_rank, c.category, "
            f"c.certificate_id, c.model, c.matched_by, CASE WHEN c.matched_by = 'gtin' THEN {GTIN_FIRST} "
            "ELSE c.key_length END AS precedence",
            judged,
            folded=True,
            on="c.day",
        )
    }),
        kept AS (
            SELECT * FROM found
            QUALIFY precedence = max(precedence) OVER (PARTITION BY offer_key, shown_from, label)
                AND (precedence = {GTIN_FIRST})
                    = (max(precedence) OVER (PARTITION BY offer_key, shown_from) = {GTIN_FIRST}))
        SELECT k.offer_key, k.shown_from, any_value(k.shown_until) AS shown_until, k.label,
               coalesce(k.category, o.category) AS category, arg_max(k.level, k.level_rank) AS level,
               nullif(array_to_string(list_sort(list_distinct(list(k.certificate_id))), ', '), '') AS certificates,
               len(list_distinct(list(k.model))) AS label_models, any_value(k.matched_by) AS matched_by
        FROM kept k JOIN o ON o.record_key = k.offer_key
        GROUP BY k.offer_key, k.shown_from, k.label, coalesce(k.category, o.category)
    """


def _offer_labels(con: duckdb.DuckDBPyConnection, as_of: AsOf, valid_on: date, filters: Filters) -> tuple[str, dict]:
    """SELECT the offer_labels() of the snapshot's offers judged on valid_on, and its
    parameters but the snapshot's (_as_of_params, which _offer_reading binds). The latest,
    unless the filters narrow the label records (market, minimum levels, flags), from
    current_offer_label."""
    narrows = replace(filters, label=None, category=None) != Filters()
    if as_of == AsOf() and not narrows and _is_current(con, schema.current_offer_label):
        return (
            f"SELECT * FROM {schema.current_offer_label.name} "
            "WHERE shown_from <= $valid_on::DATE AND shown_until >= $valid_on::DATE"
        ), {"valid_on": valid_on}
    candidates, params = _offer_candidates(con, as_of)
    return offer_labels(OFFERS_AT, candidates, ON_THE_DAY), {
        **params,
        "valid_on": valid_on,
        **filters.params(),
        "label": None,
        "category": None,
    }


# The label and category of a row of _offer_reading: NO_LABEL and the offer's own if it matched none.
_OFFER_LABEL = f"coalesce(a.label, '{NO_LABEL}')"
_OFFER_CATEGORY = "coalesce(a.category, o.category)"


def _offer_reading(
    con: duckdb.DuckDBPyConnection, as_of: AsOf, valid_on: date, filters: Filters, columns: str
) -> tuple[str, dict]:
    """SELECT columns of the snapshot's offers (alias o), one row per offer and label it
    matches (alias a: _offer_labels(); none: once, a's columns NULL), narrowed to the filters'
    label and category, and its parameters."""
    labels, params = _offer_labels(con, as_of, valid_on, filters)
    return (
        f"""
        SELECT {columns} FROM ({OFFERS_AT}) o LEFT JOIN ({labels}) a ON a.offer_key = o.record_key
        WHERE ($offer_label::VARCHAR IS NULL OR {_OFFER_LABEL} = $offer_label::VARCHAR)
          AND ($offer_category::VARCHAR IS NULL OR {_OFFER_CATEGORY} = $offer_category::VARCHAR)
    """,
        {**params, **_as_of_params(as_of), "offer_label": filters.label, "offer_category": filters.category},
    )


# What the summaries count of an offer.
_OFFER_COUNTED = f"""o.record_key, {_OFFER_LABEL} AS label, {_OFFER_CATEGORY} AS category, o.shop, o.name,
    o.brand_normalised AS brand, o.gtin, o.price, o.price_high, o.currency, o.condition"""


OFFER_FIELDS = [
    "shop",
    "shop_country",
    "shop_kind",
    "name",
    "brand",
    "gtin",
    "mpn",
    "price",
    "price_high",
    "currency",
    "availability",
    "condition",
    "url",
    "seller",
    "syntax",
    "record_key",
    "category",
    "label",
]


def offers(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    limit: int | None = 10_000,
) -> list[dict]:
    """Current offers, one row per offer and label it matches (or "no label found"): the best
    level, the certificate ids, how many label records' names it matched, and how; the first
    `limit` (None: all)."""
    source = {"label": _OFFER_LABEL, "category": _OFFER_CATEGORY, "brand": "o.brand_normalised"}
    fields = ", ".join(f"{source.get(f, 'o.' + f)} AS {f}" for f in OFFER_FIELDS)
    sql, params = _offer_reading(
        con,
        as_of,
        valid_on,
        filters,
        f"{fields}, a.level, a.certificates, coalesce(a.label_models, 0) AS label_models, a.matched_by",
    )
    return _rows(
        con.execute(
            f"""{sql}
        ORDER BY label = '{NO_LABEL}', label, category, o.shop, o.name, o.condition LIMIT $limit
    """,
            {**params, "limit": limit},
        )
    )


OFFER_SUMMARY_COLUMNS = [
    "label",
    "category",
    "currency",
    "models",
    "suppliers",
    "offers",
    "price_min",
    "price_median",
    "price_max",
    "new",
    "refurbished",
    "used",
]


# An offered model: its GTIN, else its brand and product name.
OFFERED_MODEL = "coalesce(gtin, coalesce(brand, '') || chr(31) || name)"


def offer_summary(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per label (or "no label found"), category and currency: offered models (OFFERED_MODEL),
    suppliers (shops), offers, price min/median/max, offers by condition."""
    matched, params = _offer_reading(con, as_of, valid_on, filters, _OFFER_COUNTED)
    sql = f"""
        SELECT label, category, currency, count(DISTINCT {OFFERED_MODEL}) AS models, count(DISTINCT shop) AS suppliers,
               count(*) AS offers, min(price) AS price_min, median(price) AS price_median,
               max(coalesce(price_high, price)) AS price_max,
               count(*) FILTER (WHERE condition = 'new') AS new,
               count(*) FILTER (WHERE condition = 'refurbished') AS refurbished,
               count(*) FILTER (WHERE condition = 'used') AS used
        FROM ({matched}) GROUP BY label, category, currency
        ORDER BY label = '{NO_LABEL}', label, category, currency
    """
    return _rows(con.execute(sql, params))


def offer_totals(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> dict:
    """The Offers page's headline: certified models on offer (OFFERED_MODEL) and their
    suppliers, offers with no label found, and the rows offers() gives (offer and label)."""
    matched, params = _offer_reading(con, as_of, valid_on, filters, _OFFER_COUNTED)
    sql = f"""
        SELECT count(DISTINCT {OFFERED_MODEL}) FILTER (WHERE label <> '{NO_LABEL}') AS certified_models,
               count(DISTINCT shop) FILTER (WHERE label <> '{NO_LABEL}') AS suppliers,
               count(DISTINCT record_key) FILTER (WHERE label = '{NO_LABEL}') AS unlabelled_offers,
               count(*) AS rows
        FROM ({matched})
    """
    return _rows(con.execute(sql, params))[0]


def trends(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> list[dict]:
    """Per loaded run: models, brands and certificates per label, level and category, valid on
    the run's day, any market."""
    sql = """
        SELECT r.id AS run_id, r.source, r.finished_at, s.label, s.level, s.category, s.models, s.brands, s.certificates
        FROM run_summary s JOIN crawl_run r ON r.id = s.run_id
        WHERE r.status = 'loaded'
          AND ($category::VARCHAR IS NULL OR s.category = $category::VARCHAR)
          AND ($label::VARCHAR IS NULL OR s.label = $label::VARCHAR)
        ORDER BY r.finished_at, s.label, s.level, s.category
    """
    return _rows(con.execute(sql, {"category": filters.category, "label": filters.label}))


def changes(con: duckdb.DuckDBPyConnection, before: int, after: int, limit: int = 5_000) -> dict:
    """Records current at loaded run `after` but not at `before` (appeared) and the reverse
    (disappeared); both runs must be of one source. Counts are complete, rows capped at `limit`."""
    found = dict(
        con.execute(
            "SELECT id, source FROM crawl_run WHERE id IN ($a, $b) AND status = 'loaded'", {"a": before, "b": after}
        ).fetchall()
    )
    if set(found) != {before, after}:
        raise ValueError(f"runs {before} and {after}: both must be loaded runs")
    if found[before] != found[after]:
        raise ValueError(f"runs {before} ({found[before]}) and {after} ({found[after]}) are of different sources")
    sql = """
        WITH at_run AS (  -- versions current at one of the two runs only: a version seen in both is unchanged
            SELECT r.id AS run_id, c.rowid AS row_id, c.record_key FROM certification c JOIN (VALUES ($a), ($b)) r(id)
              ON c.source = $source AND c.first_run_id <= r.id AND c.last_run_id >= r.id
            WHERE NOT (c.first_run_id <= least($a, $b) AND c.last_run_id >= greatest($a, $b))),
        diff AS (  -- keys and row ids first: the wide columns are read for the changed versions only
            SELECT CASE WHEN x.run_id = $b THEN 'appeared' ELSE 'disappeared' END AS change, x.row_id
            FROM at_run x ANTI JOIN at_run y ON x.record_key = y.record_key AND x.run_id <> y.run_id)
        SELECT change, count(*) OVER (PARTITION BY change) AS total, label, level, category, market,
               brand_normalised AS brand, model, certificate_id, valid_until, url
        FROM diff JOIN certification c ON c.rowid = diff.row_id
        QUALIFY row_number() OVER (PARTITION BY change ORDER BY label, brand_normalised NULLS LAST, model,
                                   market NULLS FIRST, record_key) <= $limit
        ORDER BY change, label, brand_normalised NULLS LAST, model, market NULLS FIRST, record_key
    """
    rows = _rows(con.execute(sql, {"a": before, "b": after, "source": found[after], "limit": limit}))
    totals = {"appeared": 0, "disappeared": 0, **{row["change"]: row.pop("total") for row in rows}}
    return {"source": found[after], **totals, "rows": rows}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RUN_COLUMNS = (
    "id, source, origin, started_at, finished_at, status, items, invalid_items, errors, close_reason, message, pid"
)


def _runs(cursor) -> list[dict]:
    """Run rows; one still marked running whose process is gone shows as `killed`: it never
    finished, so it was never loaded."""
    result = []
    for run in _rows(cursor):
        if run["status"] == "running" and not _alive(run["pid"]):
            run["status"] = "killed"
        del run["pid"]
        result.append(run)
    return result


def runs(con: duckdb.DuckDBPyConnection, source: str | None = None, limit: int = 50) -> list[dict]:
    """Recent runs, newest first."""
    return _runs(
        con.execute(
            f"SELECT {_RUN_COLUMNS} FROM crawl_run WHERE $source::VARCHAR IS NULL OR source = $source::VARCHAR"
            " ORDER BY id DESC LIMIT $limit",
            {"source": source, "limit": limit},
        )
    )


def source_states(con: duckdb.DuckDBPyConnection, sources: list[str]) -> dict[str, dict]:
    """Per source: the data shown (latest loaded run) and the latest attempt, for freshness
    and for "last crawl failed on <date>: <reason>, showing data of <date>"."""
    latest = _runs(
        con.execute(
            f"SELECT {_RUN_COLUMNS} FROM crawl_run WHERE id IN (SELECT max(id) FROM crawl_run GROUP BY source"
            " UNION SELECT max(id) FROM crawl_run WHERE status = 'loaded' GROUP BY source) ORDER BY id DESC"
        )
    )
    states = {s: {"loaded": None, "latest": None} for s in sources}
    for run in latest:
        state = states.setdefault(run["source"], {"loaded": None, "latest": None})
        state["latest"] = state["latest"] or run
        if run["status"] == "loaded":
            state["loaded"] = state["loaded"] or run
    return states


def dimension_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct categories, labels and markets in the sources' current data; `offer_category`:
    the categories of current offers too."""
    records, params = _records(con, AsOf())
    sql = f"""
        SELECT DISTINCT 'certification' AS kind, category, label, market FROM ({records})
        UNION ALL
        SELECT DISTINCT 'offer', category, NULL, NULL FROM ({OFFERS_AT})
    """
    rows = con.execute(sql, {**_as_of_params(AsOf()), **params}).fetchall()
    labelled = [r for r in rows if r[0] == "certification"]
    return {
        "category": sorted({r[1] for r in labelled}),
        "label": sorted({r[2] for r in labelled}),
        "market": sorted({r[3] for r in labelled if r[3] is not None}),
        "offer_category": sorted({r[1] for r in rows}),
    }
