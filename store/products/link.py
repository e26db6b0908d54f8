"""Which current label models and offers are the same device, rebuilt in every load's transaction.

Members: each source's current models (brand and model key, store.queries.COUNTING_KEYS) and
each current offer. Links, strongest first: an analyst's "same" decision, a shared registration
(an offer's page linking an EPREL label), a shared GTIN, the same brand and model key
(store.products.keys). An analyst's "different" decision is a wall no link crosses. Candidates
(store.products.pairs) stay candidates: they are listed for review and never joined.

Incremental: a member's model keys, candidate blocks and candidates are computed once, when it
first appears; the links are found in SQL (members sharing a value) and only linked members are
grouped in Python.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from store.models import product_candidate, product_member, product_state
from store.products import decisions
from store.products.keys import model_keys, rules_fingerprint
from store.products.pairs import candidate_score, parts
from store.queries.offers import OFFERS_AT

log = logging.getLogger(__name__)

# Link kinds, strongest first.
LINKS = ("decision", "registration", "gtin", "model key")

# A GTIN on more members than this identifies nothing (a placeholder, a shared default): not a link.
GTIN_MAX_MEMBERS = 20
# Candidates are sought within blocks (brand and an identifying token, or the numbers of a model
# number); a block larger than this (a token everything carries) is left out.
BLOCK_MAX_MEMBERS = 50

_ID = "left(md5({}), 16)"
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

    def __init__(self, walls: Iterable[tuple[str, str]] = ()):
        self.parent: dict[str, str] = {}  # members that take part in a link; any other stands alone
        self.size: dict[str, int] = {}
        self.walls = defaultdict(set)  # member -> members it must never join; kept per root once joined
        for a, b in walls:
            self.walls[a].add(b)
            self.walls[b].add(a)
        self.linked_by: dict[str, str] = {}
        self.refused = 0  # links a "different" decision kept apart

    def find(self, m: str) -> str:
        if m not in self.parent:
            self.parent[m], self.size[m] = m, 1
        while self.parent[m] != m:
            self.parent[m] = self.parent[self.parent[m]]
            m = self.parent[m]
        return m

    def link(self, a: str, b: str, how: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            small, large = (ra, rb) if self.size[ra] < self.size[rb] else (rb, ra)
            if self.walls:
                walls_small, walls_large = self.walls.get(small, set()), self.walls.get(large, set())
                if any(self.find(w) == large for w in walls_small) or any(self.find(w) == small for w in walls_large):
                    self.refused += 1
                    return
                if walls_small:
                    self.walls[large] = walls_large | walls_small
            self.parent[small] = large
            self.size[large] += self.size[small]
        self.linked_by.setdefault(a, how)
        self.linked_by.setdefault(b, how)

    def products(self) -> dict[str, str]:
        """Each linked member's product id: the least member id of its group, whatever the order of
        links."""
        least = {}
        for m in list(self.parent):
            root = self.find(m)
            if root not in least or m < least[root]:
                least[root] = m
        return {m: least[self.find(m)] for m in self.parent}


def decisions_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The analysts' decisions of this database: beside its file (None for an in-memory database)."""
    [(path,)] = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return decisions.path_for(Path(path)) if path else None


def _new_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Model keys and candidate blocks of the members seen for the first time (keys NULL in the
    members table), computed here and written back; returns how many."""
    new = con.execute("SELECT member_id, model, brand, mpn FROM members_now WHERE keys IS NULL").fetchall()
    ids, keys, blocks = [], [], []
    for member_id, model, brand, mpn in new:
        found = list(model_keys(model, brand) + (model_keys(mpn, brand) if mpn else ()))
        key_parts = [parts(key) for key in found]
        ids.append(member_id)
        keys.append(found)
        blocks.append(
            sorted(
                {t for k in key_parts for t in k.identifying}
                | {"#" + "-".join(n) for k in key_parts for n in k.model_numbers}
            )
        )
    computed = pa.table(
        {
            "member_id": pa.array(ids, pa.string()),
            "keys": pa.array(keys, pa.list_(pa.string())),
            "blocks": pa.array(blocks, pa.list_(pa.string())),
        }
    )
    con.register("computed_keys", computed)
    try:
        con.execute(
            "UPDATE members_now m SET keys = c.keys, blocks = c.blocks, new = true FROM computed_keys c"
            " WHERE m.member_id = c.member_id"
        )
    finally:
        con.unregister("computed_keys")
    return len(ids)


# Members sharing a value (one group per value, at most $limit members; NULL: no limit), for the
# links of one kind: registrations, GTINs, or brand and model key.
SHARING = """
    SELECT list(DISTINCT member_id ORDER BY member_id) FROM (
        SELECT member_id, unnest({values}) AS value FROM members_now {where})
    GROUP BY value HAVING count(DISTINCT member_id) > 1
       AND ($limit::INTEGER IS NULL OR count(DISTINCT member_id) <= $limit::INTEGER)
"""

# Pairs of members, one of them new, of one brand and different sources sharing a candidate block
# (a block of at most $limit members), not yet candidates.
BLOCK_PAIRS = """
    WITH b AS (SELECT member_id, source, brand, new, unnest(blocks) AS block FROM members_now WHERE brand IS NOT NULL),
    sized AS (SELECT brand, block FROM b GROUP BY ALL HAVING count(*) <= $limit AND bool_or(new))
    SELECT DISTINCT least(x.member_id, y.member_id) AS a, greatest(x.member_id, y.member_id) AS b
    FROM b x JOIN sized USING (brand, block) JOIN b y USING (brand, block)
    WHERE x.new AND x.source <> y.source
"""


def relink(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild product_member and product_candidate from the current data and the decisions
    file, in the caller's transaction; returns counts for the log."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE members_now AS
            SELECT m.*, p.keys, p.blocks, false AS new FROM ({MEMBERS}) m
            LEFT JOIN {product_member.name} p USING (member_id)""",
        {"as_of_run": None, "as_of_day": None},
    )
    decisions_path = decisions_file(con)
    (members_state,) = con.execute(
        "SELECT concat_ws('/', count(*), bit_xor(hash(member_id, model_id, offer_key, brand, model, category, mpn,"
        " gtins, registrations))) FROM members_now"
    ).fetchone()
    state = "|".join((rules_fingerprint(), members_state, decisions.fingerprint(decisions_path)))
    last = con.execute(f"SELECT any_value(state) FROM {product_state.name}").fetchone()[0]
    if last == state:
        con.execute("DROP TABLE members_now")  # members, identifiers, decisions and key rules as last time
        log.info("products: members and decisions unchanged, links kept")
        return {"unchanged": 1}
    if last is None or last.split("|")[0] != rules_fingerprint():  # other key rules: every key anew
        con.execute("UPDATE members_now SET keys = NULL, blocks = NULL")
        con.execute(f"DELETE FROM {product_candidate.name}")
    new = _new_keys(con)
    keys_of = dict(
        con.execute(
            f"SELECT member_id, keys FROM members_now WHERE member_id IN (SELECT unnest([a, b]) FROM ({BLOCK_PAIRS}))",
            {"limit": BLOCK_MAX_MEMBERS},
        ).fetchall()
    )
    pairs = {
        (a, b): score
        for a, b, score in con.execute(
            f"SELECT member_a, member_b, score FROM {product_candidate.name}"
            " WHERE member_a IN (SELECT member_id FROM members_now) AND member_b IN (SELECT member_id FROM members_now)"
        ).fetchall()
    }
    for a, b in con.execute(BLOCK_PAIRS, {"limit": BLOCK_MAX_MEMBERS}).fetchall():
        if (a, b) not in pairs and (score := candidate_score(keys_of[a], keys_of[b])) is not None:
            pairs[(a, b)] = score

    present = {m for (m,) in con.execute("SELECT member_id FROM members_now").fetchall()}
    decided = decisions.read(decisions_path, strict=False)
    groups = Groups([pair for pair, d in decided.items() if d.decision == "different" and set(pair) <= present])
    for (a, b), d in decided.items():
        if d.decision == "same" and a in present and b in present:
            groups.link(a, b, "decision")
    for how, values, where, limit in (
        ("registration", "registrations", "", None),
        ("gtin", "gtins", "", GTIN_MAX_MEMBERS),
        ("model key", "list_transform(keys, lambda k: brand || chr(31) || k)", "WHERE brand IS NOT NULL", None),
    ):
        for (ids,) in con.execute(SHARING.format(values=values, where=where), {"limit": limit}).fetchall():
            first, *others = ids
            for other in others:
                groups.link(first, other, how)

    product = groups.products()
    linked = pa.table(
        {
            "member_id": pa.array(list(product), pa.string()),
            "product_id": pa.array(list(product.values()), pa.string()),
            "linked_by": pa.array([groups.linked_by.get(m) for m in product], pa.string()),
        }
    )
    columns = ", ".join(
        f"g.{c.name}" if c.name in ("product_id", "linked_by") else f"m.{c.name}" for c in product_member.columns
    )
    con.register("linked", linked)
    try:
        con.execute(f"DELETE FROM {product_member.name}")
        con.execute(
            f"""INSERT INTO {product_member.name} SELECT {columns.replace("g.product_id", "coalesce(g.product_id, m.member_id)")}
                FROM members_now m LEFT JOIN linked g USING (member_id)"""
        )
    finally:
        con.unregister("linked")
    same = {a: product.get(a, a) for pair in pairs for a in pair}
    open_pairs = [(a, b, score) for (a, b), score in pairs.items() if same[a] != same[b] and (a, b) not in decided]
    candidates = pa.table(
        {
            "member_a": pa.array([a for a, _, _ in open_pairs], pa.string()),
            "member_b": pa.array([b for _, b, _ in open_pairs], pa.string()),
            "score": pa.array([score for _, _, score in open_pairs], pa.float64()),
        }
    )
    con.register("open_candidates", candidates)
    try:
        con.execute(f"DELETE FROM {product_candidate.name}")
        con.execute(f"INSERT INTO {product_candidate.name} SELECT member_a, member_b, score FROM open_candidates")
    finally:
        con.unregister("open_candidates")
    con.execute("DROP TABLE members_now")
    con.execute(f"DELETE FROM {product_state.name}")
    con.execute(f"INSERT INTO {product_state.name} VALUES ($state)", {"state": state})
    counts = {
        "members": len(present),
        "new members": new,
        "products": len(present) - len(product) + len(set(product.values())),
        "open candidates": len(open_pairs),
        "kept apart by decisions": groups.refused,
    }
    log.info("products: %s", ", ".join(f"{v} {k}" for k, v in counts.items()))
    return counts
