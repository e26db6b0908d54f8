"""Supplier offers: which label records each offer may match (a linked registration, GTIN, then
the device its product is), what it shows on a day, and the Offers page's lists and summaries."""

from dataclasses import replace
from datetime import date

import duckdb

from store import models as schema
from store.queries.snapshot import (
    MARKETS,
    SNAPSHOT,
    STATED_MEASURES,
    AsOf,
    Filters,
    as_of_params,
    gtin_lists,
    is_current,
    records_at,
    rows,
    snapshot_bounds,
    valid,
    versions_at,
)

NO_LABEL = "no label found"


# The offers of each offer source's snapshot run. Params: $as_of_run, $as_of_day.
OFFERS_AT = f"""SELECT o.* FROM offer o JOIN ({SNAPSHOT}) s
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
    "measures",
)


def offer_candidates(offers: str, records: str, gtins: str) -> str:
    """SELECT offer_key, matched_by, MATCHED_COLUMNS, markets and worldwide: the
    label `records` (with counting keys and gtins_hash) each of `offers` may match, whatever the
    day and filters, folded across markets as fold() does: by the registrations the offer's page
    links ("<source>:<registry_id>", e.g. an EPREL label's QR code), by GTIN-14 (`gtins`: the
    records' gtin_lists()), and through its product (store.products: every label model of the
    device the offer joined, `matched_by` saying how it joined: registration, gtin, decision,
    model key or model number). What current_offer_match holds for the latest runs."""
    record = ", ".join(f"c.{column}" for column in (*MATCHED_COLUMNS, "market"))
    return f"""
        WITH offered AS ({offers}), labelled AS ({records})
        SELECT offer_key, matched_by, {", ".join(MATCHED_COLUMNS)}, {MARKETS} FROM (
            SELECT o.record_key AS offer_key, 'registration' AS matched_by, {record}
            FROM (SELECT record_key, unnest(registrations) AS ref FROM offered) o
            JOIN labelled c ON c.registry_id IS NOT NULL AND o.ref = c.source || ':' || c.registry_id
            UNION ALL
            SELECT o.record_key, 'gtin', {record}
            FROM offered o JOIN ({gtins}) g ON g.gtin = o.gtin
            JOIN labelled c ON c.source = g.source AND c.gtins_hash = g.gtins_hash
            UNION ALL
            SELECT o.record_key, om.linked_by, {record}
            FROM offered o
            JOIN {schema.product_member.name} om
              ON om.kind = 'offer' AND om.source = o.source AND om.offer_key = o.record_key AND om.linked_by IS NOT NULL
            JOIN {schema.product_member.name} cm ON cm.kind = 'certification' AND cm.product_id = om.product_id
            JOIN labelled c ON c.source = cm.source AND c.model_id = cm.model_id)
        GROUP BY ALL
    """


def _offer_candidates(con: duckdb.DuckDBPyConnection, as_of: AsOf) -> tuple[str, dict]:
    """SELECT the offer_candidates() of the snapshot's offers (the CTE `o` of offer_labels)
    and records, and its parameters, as snapshot.records(): the latest from current_offer_match."""
    if as_of == AsOf() and is_current(con, schema.current_offer_match):
        return f"SELECT * FROM {schema.current_offer_match.name}", {}
    return offer_candidates("SELECT * FROM o", records_at(SNAPSHOT), gtin_lists(versions_at(SNAPSHOT))), {
        **as_of_params(as_of),
        **snapshot_bounds(con, as_of),
    }


# How strongly an offer's match holds: the registration a page links first, then the GTIN or an
# analyst's decision, then the model key of its product.
BY_REGISTRATION = 3
BY_GTIN = 2  # and the least an identifier match has: an offer matched so drops its model-key matches
BY_MODEL_KEY = 1


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
    span's day, narrowed by Filters.params(): by the registration its page links first, then
    by GTIN or a decision; an offer no identifier matched, through the device its model key or
    model number joined. Per offer, label and category (the offer's own if the record has
    none): the best level, the certificate ids, how many label records' models matched, how, and
    the measures stated by the record at the best level (of several, the one stating the most;
    NULL when none states any).
    A span in which an offer matches nothing has no row.
    What current_offer_label holds for the latest runs."""
    judged = "SELECT m.*, s.shown_from, s.shown_until, s.day FROM m JOIN s ON s.offer_key = m.offer_key"
    return f"""
        WITH o AS ({offers}), m AS ({candidates}), s AS ({spans}),
        found AS ({
        valid(
            "c.offer_key, c.shown_from, c.shown_until, c.label, c.level, c.level_rank, c.category, "
            f"c.certificate_id, c.model, c.matched_by, c.measures, CASE c.matched_by WHEN 'registration' THEN {BY_REGISTRATION} "
            f"WHEN 'gtin' THEN {BY_GTIN} WHEN 'decision' THEN {BY_GTIN} ELSE {BY_MODEL_KEY} END AS precedence",
            judged,
            folded=True,
            on="c.day",
        )
    }),
        kept AS (
            SELECT * FROM found
            QUALIFY precedence = max(precedence) OVER (PARTITION BY offer_key, shown_from, label)
                AND (precedence >= {BY_GTIN})
                    = (max(precedence) OVER (PARTITION BY offer_key, shown_from) >= {BY_GTIN}))
        SELECT k.offer_key, k.shown_from, any_value(k.shown_until) AS shown_until, k.label,
               coalesce(k.category, o.category) AS category, arg_max(k.level, k.level_rank) AS level,
               nullif(array_to_string(list_sort(list_distinct(list(k.certificate_id))), ', '), '') AS certificates,
               len(list_distinct(list(k.model))) AS label_models, any_value(k.matched_by) AS matched_by,
               {STATED_MEASURES} AS measures
        FROM kept k JOIN o ON o.record_key = k.offer_key
        GROUP BY k.offer_key, k.shown_from, k.label, coalesce(k.category, o.category)
    """


def _offer_labels(con: duckdb.DuckDBPyConnection, as_of: AsOf, valid_on: date, filters: Filters) -> tuple[str, dict]:
    """SELECT the offer_labels() of the snapshot's offers judged on valid_on, and its
    parameters but the snapshot's (as_of_params, which _offer_reading binds). The latest,
    unless the filters narrow the label records (market, minimum levels, flags), from
    current_offer_label."""
    narrows = replace(filters, label=None, category=None) != Filters()
    if as_of == AsOf() and not narrows and is_current(con, schema.current_offer_label):
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
        {**params, **as_of_params(as_of), "offer_label": filters.label, "offer_category": filters.category},
    )


# What the summaries count of an offer.
_OFFER_COUNTED = f"""o.record_key, {_OFFER_LABEL} AS label, {_OFFER_CATEGORY} AS category, o.shop, o.name,
    o.brand_normalised AS brand, o.gtin, o.price, o.price_high, o.currency, o.condition, o.availability"""

# What a buyer can order now: an offer in stock or of limited availability. Offers out of stock,
# on pre-order or of unknown availability stay listed, but are not "on offer" in the headline.
ON_OFFER = ("in_stock", "limited_availability")


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
    "vat_included",
    "availability",
    "condition",
    "url",
    "seller",
    "syntax",
    "record_key",
    "category",
    "label",
]


def offer_columns(fields: list[str]) -> str:
    """SELECT items of these OFFER_FIELDS, the offer aliased o (and its label match a, for
    label and category): each the offer's column of that name, but the brand as normalised."""
    read_as = {"label": _OFFER_LABEL, "category": _OFFER_CATEGORY, "brand": "o.brand_normalised"}
    return ", ".join(f"{read_as.get(f, 'o.' + f)} AS {f}" for f in fields)


def offers(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
    limit: int | None = 10_000,
) -> list[dict]:
    """Current offers, one row per offer and label it matches (or "no label found"): the best
    level, the certificate ids, how many label records' names it matched, how, and the measures
    the label's record states (crawlers.measures: name → value); the first `limit` (None: all)."""
    fields = offer_columns(OFFER_FIELDS)
    sql, params = _offer_reading(
        con,
        as_of,
        valid_on,
        filters,
        f"{fields}, a.level, a.certificates, coalesce(a.label_models, 0) AS label_models, a.matched_by, a.measures",
    )
    return rows(
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
    return rows(con.execute(sql, params))


def offer_totals(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> dict:
    """The Offers page's headline: certified models on offer (OFFERED_MODEL, ON_OFFER only) and
    their suppliers, offers with no label found, and the rows offers() gives (offer and label)."""
    matched, params = _offer_reading(con, as_of, valid_on, filters, _OFFER_COUNTED)
    on_offer = f"label <> '{NO_LABEL}' AND list_contains($on_offer::VARCHAR[], availability)"
    sql = f"""
        SELECT count(DISTINCT {OFFERED_MODEL}) FILTER (WHERE {on_offer}) AS certified_models,
               count(DISTINCT shop) FILTER (WHERE {on_offer}) AS suppliers,
               count(DISTINCT record_key) FILTER (WHERE label = '{NO_LABEL}') AS unlabelled_offers,
               count(*) AS rows
        FROM ({matched})
    """
    return rows(con.execute(sql, {**params, "on_offer": list(ON_OFFER)}))[0]
