"""How many: valid models, brands and certificates per label, level, category and market, the
qualifying models of a pre-tender check, expiry horizons, trends and changes between runs."""

from datetime import date

import duckdb

from store.queries.offers import OFFERS_AT
from store.queries.products import device
from store.queries.snapshot import (
    LAST_DAY,
    RUN_DAY,
    AsOf,
    Filters,
    as_of_params,
    reading,
    records,
    rows,
    valid,
)

COUNTS = """count(DISTINCT model_id) AS models, count(DISTINCT brand_id) AS brands,
            count(DISTINCT certificate_hash) AS certificates"""


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
    found = reading(con, as_of, valid_on, filters, folded=True)
    columns = "group_id, model_id, model_shared, brand_id, certificate_hash, certificate_shared"
    per_market = f"""
        SELECT {columns}, unnest(markets) AS market FROM cur WHERE $by_market AND $market::VARCHAR IS NULL
        UNION ALL
        SELECT {columns}, $market::VARCHAR FROM cur WHERE list_contains(markets, $market::VARCHAR)"""
    any_market = f"SELECT {columns} FROM cur WHERE $market::VARCHAR IS NULL OR worldwide"
    sql = f"""
        WITH cur AS {found.reuse} ({valid("c.*", found.sql, folded=True)}),
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
    return rows(con.execute(sql, {**found.params, "by_market": by_market}))


def level_ladder(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
) -> list[dict]:
    """Which levels are populated: per label with ranked levels, category and level, the valid
    models and brands at that level, and at that level or better (what "class B or better" or
    "Gold" leaves a tender). Any market, or the chosen market's registrations and global
    certificates; a model registered in many countries counts once. Levels the scale does not
    rank are left out; levels with no model have no row (the caller knows the scale)."""
    found = reading(con, as_of, valid_on, filters, folded=True)
    sql = f"""
        WITH cur AS {found.reuse} ({valid("c.*", found.sql, folded=True)}),
        ranked AS (  -- each valid model once per label, category and level
            SELECT DISTINCT label, category, level, level_rank, model_id, brand_id FROM cur WHERE level_rank IS NOT NULL),
        at_level AS (
            SELECT label, category, level, level_rank, count(DISTINCT model_id) AS models,
                   count(DISTINCT brand_id) AS brands
            FROM ranked GROUP BY ALL),
        or_better AS (  -- the models of this level and every higher one
            SELECT a.label, a.category, a.level_rank, count(DISTINCT r.model_id) AS models_or_better,
                   count(DISTINCT r.brand_id) AS brands_or_better
            FROM at_level a JOIN ranked r
              ON r.label = a.label AND r.category = a.category AND r.level_rank >= a.level_rank
            GROUP BY ALL)
        SELECT a.label, a.category, a.level, a.level_rank, a.models, a.brands, b.models_or_better, b.brands_or_better
        FROM at_level a JOIN or_better b USING (label, category, level_rank)
        ORDER BY a.label, a.category, a.level_rank DESC
    """
    return rows(con.execute(sql, found.params))


def models(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    limit: int = 10_000,
) -> list[dict]:
    """The valid records behind availability(), one row per record."""
    found = reading(con, as_of, valid_on, filters)
    sql = (
        valid(
            """c.source, c.label, c.level, c.category, c.market, c.brand_normalised AS brand, c.model,
                     c.certificate_id, c.valid_from, c.valid_until, c.flags, c.url""",
            found.sql,
        )
        + """
        ORDER BY c.source, c.brand_normalised NULLS LAST, c.model, c.market NULLS FIRST, c.record_key
        LIMIT $limit"""
    )
    return rows(con.execute(sql, {**found.params, "limit": limit}))


def label_totals(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per label: distinct models and known brands valid on the day, over all its levels,
    categories and markets (the availability page's headline)."""
    found = reading(con, as_of, valid_on, filters, folded=True)
    sql = f"""
        SELECT label, count(DISTINCT model_id) AS models, count(DISTINCT brand_id) AS brands
        FROM ({valid("c.label, c.model_id, c.brand_id", found.sql, folded=True)}) GROUP BY label ORDER BY label
    """
    return rows(con.execute(sql, found.params))


def qualifying(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    labels: list[str] | None = None,
    limit: int | None = None,
    all_of: bool = False,
) -> list[dict]:
    """One row per model qualifying under a label (one of `labels`, if given) in a category: its
    best level, certificate ids, the last day it stays certified (None: open-ended, e.g. EPEAT
    until archived), the number of markets it is registered in (0: a global certificate) and a
    registry link; the first `limit` by label, category, brand and model. A model with one
    record is that record; only models with several are aggregated. `all_of`: only the models
    of devices (store.products) qualifying under every one of `labels`."""
    found = reading(con, as_of, valid_on, filters)
    join, key = device(found)
    devices_holding_all = f"""  -- only the records of devices (store.products) valid under every chosen label
        WITH chosen AS (SELECT c.* REPLACE ({key} AS product_key) FROM ({valid("c.*", found.sql)}) c {join}
                        WHERE list_contains($labels::VARCHAR[], c.label))
        SELECT * FROM chosen WHERE product_key IN (
            SELECT product_key FROM chosen GROUP BY product_key
            HAVING count(DISTINCT label) = len(list_distinct($labels::VARCHAR[])))"""
    chosen = (
        devices_holding_all
        if all_of
        else f"""SELECT * FROM ({valid("c.*", found.sql)})
                 WHERE $labels::VARCHAR[] IS NULL OR list_contains($labels::VARCHAR[], label)"""
    )
    sql = f"""
        WITH v AS {found.reuse} ({chosen})
        SELECT source, label, category, brand_normalised AS brand, model_key, model, level,
               coalesce(certificate_id, '') AS certificates, valid_from, valid_until,
               (market IS NOT NULL)::BIGINT AS markets, url
        FROM v WHERE model_records = 1
        UNION ALL
        SELECT any_value(source), any_value(label), any_value(category), any_value(brand_normalised),
               any_value(model_key), min(model), arg_max(level, level_rank),
               array_to_string(list_sort(list_distinct(list(certificate_id))), ', '),
               min(valid_from), {LAST_DAY}, count(DISTINCT market), min(url)
        FROM v WHERE model_records > 1 GROUP BY cell_id, model_id
        ORDER BY label, category, brand NULLS LAST, model_key LIMIT $limit
    """
    return rows(con.execute(sql, {**found.params, "labels": labels, "limit": limit}))


def qualifying_brands(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    labels: list[str],
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
) -> list[dict]:
    """Models qualifying per label of `labels` and brand (None: unknown): the pre-tender check's
    counts label by label, the same models qualifying() lists (across labels, a device counts
    once: store.queries.product_counts)."""
    found = reading(con, as_of, valid_on, filters, folded=True)
    sql = f"""
        SELECT label, brand_normalised AS brand, count(DISTINCT model_id) AS models
        FROM ({valid("c.label, c.brand_normalised, c.model_id", found.sql, folded=True)})
        WHERE list_contains($labels::VARCHAR[], label)
        GROUP BY label, brand_normalised
        ORDER BY label, brand NULLS LAST
    """
    return rows(con.execute(sql, {**found.params, "labels": labels}))


EXPIRY_HORIZONS = (6, 12, 24)  # months


def expiry(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per label and category: models qualifying on `valid_on`, how many of them lose their
    certificate within 6, 12 and 24 months (a model keeps qualifying until its last certificate
    ends), and how many have no end date."""
    found = reading(con, as_of, valid_on, filters, folded=True)
    horizons = ", ".join(
        f'count(*) FILTER (WHERE valid_until < $valid_on::DATE + INTERVAL {m} MONTH) AS "lose within {m} months"'
        for m in EXPIRY_HORIZONS
    )
    sql = f"""
        SELECT label, category, count(*) AS qualifying, {horizons},
               count(*) FILTER (WHERE valid_until IS NULL) AS "no end date"
        FROM (SELECT any_value(label) AS label, any_value(category) AS category, {LAST_DAY} AS valid_until
              FROM ({valid("c.*", found.sql, folded=True)}) GROUP BY cell_id, model_id)
        GROUP BY label, category ORDER BY label, category
    """
    return rows(con.execute(sql, found.params))


def trends(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> list[dict]:
    """Per loaded run: models, brands and certificates per label, level and category, valid on
    the run's day (`data_day`, the day its data describes), any market."""
    sql = f"""
        SELECT r.id AS run_id, r.source, r.finished_at, {RUN_DAY} AS data_day, s.label, s.level, s.category, s.models, s.brands, s.certificates
        FROM run_summary s JOIN crawl_run r ON r.id = s.run_id
        WHERE r.status = 'loaded'
          AND ($category::VARCHAR IS NULL OR s.category = $category::VARCHAR)
          AND ($label::VARCHAR IS NULL OR s.label = $label::VARCHAR)
        ORDER BY data_day, r.id, s.label, s.level, s.category
    """
    return rows(con.execute(sql, {"category": filters.category, "label": filters.label}))


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
    changed = rows(con.execute(sql, {"a": before, "b": after, "source": found[after], "limit": limit}))
    totals = {"appeared": 0, "disappeared": 0, **{row["change"]: row.pop("total") for row in changed}}
    return {"source": found[after], **totals, "rows": changed}


def dimension_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct categories, labels and markets in the sources' current data; `offer_category`:
    the categories of current offers too."""
    found = records(con, AsOf())
    sql = f"""
        SELECT DISTINCT 'certification' AS kind, category, label, market FROM ({found.sql})
        UNION ALL
        SELECT DISTINCT 'offer', category, NULL, NULL FROM ({OFFERS_AT})
    """
    values = con.execute(sql, {**as_of_params(AsOf()), **found.params}).fetchall()
    labelled = [r for r in values if r[0] == "certification"]
    return {
        "category": sorted({r[1] for r in labelled}),
        "label": sorted({r[2] for r in labelled}),
        "market": sorted({r[3] for r in labelled if r[3] is not None}),
        "offer_category": sorted({r[1] for r in values}),
    }


def labels_present(con: duckdb.DuckDBPyConnection, category: str | None, market: str | None) -> list[str]:
    """Labels with any record in the current data of this category (None: any) and market (None:
    any; a global certificate is in every market), whatever its validity or level: a label
    missing here has no data, which is not the same as data where nobody qualifies."""
    found = records(con, AsOf())
    sql = f"""
        SELECT DISTINCT c.label FROM ({found.sql}) c
        WHERE ($category::VARCHAR IS NULL OR c.category = $category::VARCHAR)
          AND ($market::VARCHAR IS NULL OR c.market IS NULL OR c.market = $market::VARCHAR)
        ORDER BY 1
    """
    return [label for (label,) in con.execute(sql, {**found.params, "category": category, "market": market}).fetchall()]


def unknown_flags(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per source and flag: models of the current data whose records cannot state the flag (an
    export without its column). They do not pass that flag's filter; readers are told so."""
    found = records(con, AsOf())
    sql = f"""
        SELECT source, flag, count(DISTINCT model_id) AS models
        FROM (SELECT source, model_id, unnest(unknown_flags) AS flag FROM ({found.sql}))
        GROUP BY source, flag ORDER BY source, flag
    """
    return rows(con.execute(sql, found.params))
