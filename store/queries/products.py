"""Counting devices across labels (store.products): how many products meet any or all of the
chosen labels, how many carry two labels at once, and the candidate links analysts review."""

from datetime import date

import duckdb

from store import models as schema
from store.queries.snapshot import AsOf, Filters, reading, rows, valid

ANY_OF = "any"
ALL_OF = "all"

# The product of a folded or plain record (alias c): its group in product_member, else the model
# itself (a model the current data no longer has, read at a past snapshot).
PRODUCT_OF = f"""
    LEFT JOIN {schema.product_member.name} pm
      ON pm.kind = 'certification' AND pm.source = c.source AND pm.model_id = c.model_id"""
PRODUCT_ID = "coalesce(pm.product_id, c.source || ':' || c.model_id::VARCHAR)"

# Products with a member in an open candidate pair: their count may change on review.
ON_CANDIDATES = f"""
    SELECT DISTINCT m.product_id FROM {schema.product_candidate.name} pc
    JOIN {schema.product_member.name} m ON m.member_id IN (pc.member_a, pc.member_b)"""


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
    sql = f"""
        WITH labelled AS (  -- each valid record's label and the product it belongs to
            SELECT c.label, c.brand_normalised, {PRODUCT_ID} AS product_id
            FROM ({valid("c.*", found.sql, folded=True)}) c {PRODUCT_OF}
            WHERE list_contains($labels::VARCHAR[], c.label)),
        products AS (
            SELECT product_id, min(brand_normalised) AS brand, count(DISTINCT label) AS labels
            FROM labelled GROUP BY product_id)
        SELECT p.brand, count(*) AS products,
               count(*) FILTER (WHERE p.product_id IN (SELECT product_id FROM ({ON_CANDIDATES}))) AS on_candidates
        FROM products p
        WHERE $mode = '{ANY_OF}' OR p.labels = len(list_distinct($labels::VARCHAR[]))
        GROUP BY p.brand ORDER BY products DESC, p.brand NULLS LAST
    """
    return rows(con.execute(sql, {**found.params, "labels": labels, "mode": mode}))


def label_overlap(
    con: duckdb.DuckDBPyConnection, valid_on: date, as_of: AsOf = AsOf(), filters: Filters = Filters()
) -> list[dict]:
    """Per category and pair of labels (a label with itself: its own products): the products
    carrying both on valid_on under the filters."""
    found = reading(con, as_of, valid_on, filters, folded=True)
    sql = f"""
        WITH held AS (
            SELECT DISTINCT c.category, c.label, {PRODUCT_ID} AS product_id
            FROM ({valid("c.*", found.sql, folded=True)}) c {PRODUCT_OF})
        SELECT a.category, a.label AS label_a, b.label AS label_b, count(*) AS products
        FROM held a JOIN held b ON a.category = b.category AND a.product_id = b.product_id
        GROUP BY ALL ORDER BY a.category, label_a, label_b
    """
    return rows(con.execute(sql, found.params))


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
