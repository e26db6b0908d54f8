"""Which current label models and offers are the same device, rebuilt in every load's transaction.

Members: each source's current models (brand and model key, store.queries.COUNTING_KEYS) and
each current offer. Links, strongest first: an analyst's "same" decision, a shared registration
(an offer's page linking an EPREL label), a shared GTIN, the same brand and model key
(store.products.keys). An analyst's "different" decision is a wall no link crosses. Candidates
(store.products.pairs) stay candidates: they are listed for review and never joined.

Incremental: a member's model keys and its candidates are computed once, when it first appears;
the grouping, cheap, is redone over all members each time.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from store.models import product_candidate, product_member
from store.products import decisions
from store.products.keys import model_keys
from store.products.pairs import candidate_score, identifying
from store.queries.offers import OFFERS_AT
from store.queries.snapshot import rows

log = logging.getLogger(__name__)

# Link kinds, strongest first.
LINKS = ("decision", "registration", "gtin", "model key")

# A GTIN on more members than this identifies nothing (a placeholder, a shared default): not a link.
GTIN_MAX_MEMBERS = 20
# Candidates are sought within blocks (brand and an identifying token or a number of three
# digits or more); a block larger than this (a token everything carries) is left out.
BLOCK_MAX_MEMBERS = 400

_ID = "left(md5({}), 16)"
# The columns of product_member and product_candidate that are not text.
_ARROW = {
    "model_id": pa.uint64(),
    "score": pa.float64(),
    **dict.fromkeys(("keys", "gtins", "registrations"), pa.list_(pa.string())),
}
_NUMBER = re.compile(r"\d{3,}")

# The members of the current data, with what identifies them. Label models: one per source,
# brand and model key; offers: one per page (their record key).
MEMBERS = f"""
    WITH models AS (
        SELECT source, model_id, any_value(brand_normalised) AS brand, any_value(model_key) AS model_key,
               min(model) AS model, mode(category) AS category,
               list_distinct(list(source || ':' || registry_id) FILTER (WHERE registry_id IS NOT NULL)) AS registrations
        FROM current_certification GROUP BY source, model_id),
    model_gtins AS (
        SELECT m.source, m.model_id, list_distinct(list(g.gtin)) AS gtins
        FROM (SELECT DISTINCT source, model_id, gtins_hash FROM current_certification) m
        JOIN current_gtin g USING (source, gtins_hash) GROUP BY ALL),
    offers AS ({OFFERS_AT})
    SELECT {_ID.format("concat_ws(chr(31), 'certification', m.source, coalesce(m.brand, ''), m.model_key)")} AS member_id,
           'certification' AS kind, m.source, m.model_id, NULL AS offer_key, m.brand, m.model, m.category,
           coalesce(g.gtins, []) AS gtins, m.registrations, NULL AS mpn
    FROM models m LEFT JOIN model_gtins g USING (source, model_id)
    UNION ALL
    SELECT {_ID.format("concat_ws(chr(31), 'offer', o.source, o.record_key)")}, 'offer', o.source, NULL, o.record_key,
           o.brand_normalised, o.name, o.category,
           CASE WHEN o.gtin IS NULL THEN [] ELSE [o.gtin] END, o.registrations, o.mpn
    FROM offers o
"""


class Groups:
    """Union-find over member ids with cannot-link walls; `linked_by` keeps each member's strongest link."""

    def __init__(self, members: Iterable[str], walls: Iterable[tuple[str, str]]):
        self.parent = {m: m for m in members}
        self.members = {m: {m} for m in self.parent}
        self.walls = defaultdict(set)
        for a, b in walls:
            if a in self.parent and b in self.parent:
                self.walls[a].add(b)
                self.walls[b].add(a)
        self.linked_by: dict[str, str] = {}
        self.refused = 0  # links a "different" decision kept apart

    def find(self, m: str) -> str:
        while self.parent[m] != m:
            self.parent[m] = self.parent[self.parent[m]]
            m = self.parent[m]
        return m

    def link(self, a: str, b: str, how: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            small, large = sorted((ra, rb), key=lambda r: len(self.members[r]))
            if any(self.walls[m] & self.members[large] for m in self.members[small]):
                self.refused += 1
                return
            self.parent[small] = large
            self.members[large] |= self.members.pop(small)
        self.linked_by.setdefault(a, how)
        self.linked_by.setdefault(b, how)

    def product(self, m: str) -> str:
        """The product's id: its least member id, so it does not depend on the order of links."""
        return min(self.members[self.find(m)])


def _identifier_links(members: list[dict], field: str, limit: int | None) -> Iterable[tuple[str, str]]:
    """Pairs (first member, member) of the members sharing a value of the list `field`."""
    holders = defaultdict(set)
    for member in members:
        for value in member[field] or ():
            holders[value].add(member["member_id"])
    for ids in holders.values():
        if len(ids) > 1 and (limit is None or len(ids) <= limit):
            first, *others = sorted(ids)
            yield from ((first, other) for other in others)


def _candidates(members: list[dict], new: set[str]) -> dict[tuple[str, str], float]:
    """Candidate pairs with at least one new member, of different sources, same brand."""
    blocks = defaultdict(list)
    for member in members:
        if member["brand"] is None:
            continue
        tokens = {t for key in member["keys"] for t in key.split() if identifying(t)}
        for block in tokens | {run for t in tokens for run in _NUMBER.findall(t)}:
            blocks[(member["brand"], block)].append(member)
    found = {}
    for block in blocks.values():
        if len(block) > BLOCK_MAX_MEMBERS or not any(m["member_id"] in new for m in block):
            continue
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                if a["source"] == b["source"] or (a["member_id"] not in new and b["member_id"] not in new):
                    continue
                pair = decisions.pair(a["member_id"], b["member_id"])
                if pair not in found and (score := candidate_score(a["keys"], b["keys"])) is not None:
                    found[pair] = score
    return found


def decisions_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The analysts' decisions of this database: beside its file (None for an in-memory database)."""
    [(path,)] = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return decisions.path_for(Path(path)) if path else None


def relink(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild product_member and product_candidate from the current data and the decisions
    file, in the caller's transaction; returns counts for the log."""
    members = rows(con.execute(MEMBERS, {"as_of_run": None, "as_of_day": None}))
    known = dict(con.execute(f"SELECT member_id, keys FROM {product_member.name}").fetchall())
    new = {m["member_id"] for m in members} - set(known)
    for m in members:
        m["keys"] = known.get(m["member_id"])
        if m["keys"] is None:
            m["keys"] = list(
                model_keys(m["model"], m["brand"]) + (model_keys(m["mpn"], m["brand"]) if m["mpn"] else ())
            )
    present = {m["member_id"] for m in members}
    pairs = {
        (a, b): score
        for a, b, score in con.execute(f"SELECT member_a, member_b, score FROM {product_candidate.name}").fetchall()
        if a in present and b in present
    } | _candidates(members, new)

    decided = decisions.read(decisions_file(con), strict=False)
    groups = Groups(present, [pair for pair, d in decided.items() if d.decision == "different"])
    for (a, b), d in decided.items():
        if d.decision == "same" and a in present and b in present:
            groups.link(a, b, "decision")
    for a, b in _identifier_links(members, "registrations", None):
        groups.link(a, b, "registration")
    for a, b in _identifier_links(members, "gtins", GTIN_MAX_MEMBERS):
        groups.link(a, b, "gtin")
    by_key = defaultdict(set)
    for m in members:
        for key in m["keys"] if m["brand"] is not None else ():
            by_key[(m["brand"], key)].add(m["member_id"])
    for ids in by_key.values():
        first, *others = sorted(ids)
        for other in others:
            groups.link(first, other, "model key")

    for m in members:
        m["product_id"], m["linked_by"] = groups.product(m["member_id"]), groups.linked_by.get(m["member_id"])
    product = {m["member_id"]: m["product_id"] for m in members}
    open_pairs = [
        {"member_a": a, "member_b": b, "score": s}
        for (a, b), s in pairs.items()
        if product[a] != product[b] and (a, b) not in decided
    ]
    _replace(con, product_member, members)
    _replace(con, product_candidate, open_pairs)
    counts = {
        "members": len(members),
        "new members": len(new),
        "products": len(set(product.values())),
        "open candidates": len(open_pairs),
        "kept apart by decisions": groups.refused,
    }
    log.info("products: %s", ", ".join(f"{v} {k}" for k, v in counts.items()))
    return counts


def _replace(con: duckdb.DuckDBPyConnection, table, values: list[dict]) -> None:
    """Replace the rows of `table` by `values` (dicts holding at least its columns)."""
    columns = [c.name for c in table.columns]
    arrow = pa.table({c: pa.array([v[c] for v in values], type=_ARROW.get(c, pa.string())) for c in columns})
    con.register("product_rows", arrow)
    try:
        con.execute(f"DELETE FROM {table.name}")
        con.execute(f"INSERT INTO {table.name} SELECT {', '.join(columns)} FROM product_rows")
    finally:
        con.unregister("product_rows")
