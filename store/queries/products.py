"""Counting devices across labels (store.products): how many products meet any or all of the
chosen labels, how many carry two labels at once, what one device holds, and the candidate
links analysts review."""

from datetime import date

import duckdb

from crawlers.gtin import to_gtin14
from store import models as schema
from store.queries.offers import OFFER_FIELDS, OFFERS_AT, offer_columns
from store.queries.snapshot import LAST_DAY, STATED_MEASURES, AsOf, Filters, Reading, as_of_params, reading, rows, valid

ANY_OF = "any"
ALL_OF = "all"

# The device of a folded or plain record (alias c), as a 64-bit key: the current tables carry it
# (the re-link sets it); a past snapshot's records find it in product_member; a model the current
# data no longer has is its own device.
PRODUCT_OF = f"""
    LEFT JOIN (SELECT source, model_id, product_key FROM {schema.product_member.name} WHERE kind = 'certification') pm
      ON pm.source = c.source AND pm.model_id = c.model_id"""


def device(found: Reading) -> tuple[str, str]:
    """(join, key): what a read of `found` adds after its records (alias c) to know each one's device."""
    if found.current:
        return "", "coalesce(c.product_key, hash(c.source, c.model_id))"
    return PRODUCT_OF, "coalesce(pm.product_key, hash(c.source, c.model_id))"


# Products with a member in an open candidate pair: their count may change on review.
ON_CANDIDATES = f"""
    SELECT m.product_key FROM {schema.product_candidate.name} pc
    JOIN {schema.product_member.name} m ON m.member_id = pc.member_a
    UNION
    SELECT m.product_key FROM {schema.product_candidate.name} pc
    JOIN {schema.product_member.name} m ON m.member_id = pc.member_b"""


def product_counts(
    con: duckdb.DuckDBPyConnection,
    valid_on: date,
    labels: list[str],
    mode: str = ANY_OF,
    as_of: AsOf = AsOf(),
    filters: Filters = Filters(),
) -> list[dict]:
    """Per brand (None: unknown): products (devices) meeting any of `labels` (mode "any") or
    every one of them ("all") on valid_on under the filters, and how many of them have an open
    candidate link (`on_candidates`: the count may change when an analyst decides). A device
    registered under two labels counts once."""
    if mode not in (ANY_OF, ALL_OF):
        raise ValueError(f"mode: {mode!r} is not one of {ANY_OF}, {ALL_OF}")
    found = reading(con, as_of, valid_on, filters, folded=True)
    join, key = device(found)
    chosen = list(dict.fromkeys(labels))
    sql = f"""
        WITH labelled AS (  -- each valid record's product, and its label as a bit (the label's place in $labels)
            SELECT c.brand_normalised, {key} AS product_key,
                   1::BIGINT << (list_position($labels::VARCHAR[], c.label) - 1) AS label_bit
            FROM ({valid("c.*", found.sql, folded=True)}) c {join}
            WHERE list_contains($labels::VARCHAR[], c.label)),
        products AS (  -- each product once, with the labels it holds
            SELECT product_key, min(brand_normalised) AS brand, bit_or(label_bit) AS held
            FROM labelled GROUP BY product_key)
        SELECT p.brand, count(*) AS products,
               count(*) FILTER (WHERE p.product_key IN (SELECT product_key FROM ({ON_CANDIDATES}))) AS on_candidates
        FROM products p
        WHERE $mode = '{ANY_OF}' OR p.held = (1::BIGINT << len($labels::VARCHAR[])) - 1
        GROUP BY p.brand ORDER BY products DESC, p.brand NULLS LAST
    """
    return rows(con.execute(sql, {**found.params, "labels": chosen, "mode": mode}))


def label_overlap(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per category and pair of labels (a label with itself: its own products): the products
    carrying both on valid_on under the filters."""
    found = reading(con, as_of, valid_on, filters, folded=True)
    join, key = device(found)
    sql = f"""
        WITH cur AS (SELECT c.category, c.label, {key} AS product_key
                     FROM ({valid("c.*", found.sql, folded=True)}) c {join}),
        labels AS (  -- each label present as a bit
            SELECT label, 1::BIGINT << (row_number() OVER (ORDER BY label) - 1)::INTEGER AS bit
            FROM (SELECT DISTINCT label FROM cur)),
        held AS (SELECT category, product_key, bit_or(bit) AS held FROM cur JOIN labels USING (label) GROUP BY ALL),
        combinations AS (SELECT category, held, count(*) AS products FROM held GROUP BY ALL)  -- a few per category
        SELECT m.category, a.label AS label_a, b.label AS label_b, sum(m.products)::BIGINT AS products
        FROM combinations m JOIN labels a ON m.held & a.bit <> 0 JOIN labels b ON m.held & b.bit <> 0
        GROUP BY ALL ORDER BY m.category, label_a, label_b
    """
    return rows(con.execute(sql, found.params))


DEVICE_FIELDS = [
    "device",
    "label",
    "level",
    "category",
    "brand",
    "model",
    "certificates",
    "valid_from",
    "valid_until",
    "markets",
    "measures",
    "url",
]


def devices_named(con: duckdb.DuckDBPyConnection, text: str, valid_on: date, limit: int = 20) -> list[dict]:
    """The devices one of whose current label records `text` names (every word of it in the
    record's brand and model, case aside; or its certificate id, registry number or one of its
    GTINs) and what each holds on valid_on: a row per device, label and model as its registry
    names it, with the best level, certificate ids, first and last day (None: open-ended),
    countries (0: a global certificate), the measures of its record at the best level and a
    registry link. The first `limit` devices, those holding the most labels first; the latest
    data only."""
    current = f"SELECT * FROM {schema.current_certification.name}"
    sql = f"""
        WITH named AS (  -- the devices a current record is named by: its words, certificate, registration or GTIN
            SELECT c.product_key FROM {schema.current_certification.name} c
            WHERE (contains(lower(c.model), $longest) OR contains(lower(c.brand_normalised), $longest))  -- cheap first
              AND list_bool_and(list_transform($words::VARCHAR[],
                  lambda w: contains(lower(coalesce(c.brand_normalised, '') || ' ' || c.model), w)))
            UNION
            SELECT c.product_key FROM {schema.current_certification.name} c
            WHERE c.certificate_id = $text OR c.registry_id = $text
            UNION
            SELECT c.product_key FROM {schema.current_gtin.name} g
            JOIN {schema.current_certification.name} c USING (source, gtins_hash) WHERE g.gtin = $gtin),
        held AS (  -- what those devices hold on the day
            SELECT * FROM ({valid("c.*", current)}) WHERE product_key IN (SELECT product_key FROM named)),
        shown AS (  -- the devices listed: most labels first
            SELECT product_key, row_number() OVER (
                       ORDER BY count(DISTINCT label) DESC, min(brand_normalised) NULLS LAST, min(model), product_key
                   ) AS place
            FROM held GROUP BY product_key ORDER BY place LIMIT $limit)
        SELECT h.product_key::VARCHAR AS device, h.label, arg_max(h.level, h.level_rank) AS level,
               any_value(h.category) AS category, h.brand_normalised AS brand, h.model,
               array_to_string(list_sort(list_distinct(list(h.certificate_id))), ', ') AS certificates,
               min(h.valid_from) AS valid_from, {LAST_DAY} AS valid_until, count(DISTINCT h.market) AS markets,
               {STATED_MEASURES} AS measures,
               min(h.url) AS url
        FROM held h JOIN shown s USING (product_key)
        GROUP BY h.product_key, s.place, h.label, h.brand_normalised, h.model
        ORDER BY s.place, h.label, h.model
    """
    words = text.lower().split()
    stripped = text.strip()
    params = {
        "words": words,
        "longest": max(words, key=len, default=None),  # no words: NULL, no record
        "text": stripped,
        "gtin": to_gtin14(stripped),
        "limit": limit,
        "valid_on": valid_on,
        **Filters().params(),
    }
    return rows(con.execute(sql, params))


# An offer of a device: what the Offers page lists of an offer, without what its label match adds.
DEVICE_OFFER_FIELDS = ["device", *(f for f in OFFER_FIELDS if f not in ("record_key", "category", "label"))]


def device_offers(con: duckdb.DuckDBPyConnection, devices: list[str]) -> list[dict]:
    """The current offers joined to these devices (devices_named's `device` keys), cheapest
    first per device: shop, product name, identifiers, price, currency, VAT, availability,
    condition, link."""
    sql = f"""
        SELECT pm.product_key::VARCHAR AS device, {offer_columns(DEVICE_OFFER_FIELDS[1:])}
        FROM ({OFFERS_AT}) o
        JOIN {schema.product_member.name} pm
          ON pm.kind = 'offer' AND pm.source = o.source AND pm.offer_key = o.record_key AND pm.linked_by IS NOT NULL
        WHERE list_contains($devices::VARCHAR[], pm.product_key::VARCHAR)
        ORDER BY list_position($devices::VARCHAR[], pm.product_key::VARCHAR), o.price NULLS LAST, o.shop, o.name
    """
    return rows(con.execute(sql, {"devices": devices, **as_of_params(AsOf())}))


CANDIDATE_FIELDS = ["member_a", "member_b", "score", "brand", "source_a", "model_a", "source_b", "model_b", "category"]


def candidates(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict]:
    """Open candidate links, both members side by side, most similar first."""
    sql = f"""
        SELECT pc.member_a, pc.member_b, pc.score, a.brand, a.source AS source_a, a.model AS model_a,
               b.source AS source_b, b.model AS model_b, coalesce(a.category, b.category) AS category
        FROM {schema.product_candidate.name} pc
        JOIN {schema.product_member.name} a ON a.member_id = pc.member_a
        JOIN {schema.product_member.name} b ON b.member_id = pc.member_b
        ORDER BY pc.score DESC, a.brand, a.model, b.model LIMIT $limit
    """
    return rows(con.execute(sql, {"limit": limit}))


def members(con: duckdb.DuckDBPyConnection, member_ids: list[str]) -> list[dict]:
    """The named members with their product and how they were linked."""
    sql = f"""SELECT member_id, kind, source, brand, model, category, product_id, linked_by
              FROM {schema.product_member.name} WHERE list_contains($ids::VARCHAR[], member_id)"""
    return rows(con.execute(sql, {"ids": member_ids}))
