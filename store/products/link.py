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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from store.models import (
    current_across_markets,
    current_certification,
    product_candidate,
    product_member,
    product_state,
)
from store.products import decisions
from store.products.keys import model_keys, rules_fingerprint
from store.products.pairs import blocks, candidate_score
from store.queries.offers import OFFERS_AT

log = logging.getLogger(__name__)

# A GTIN on more members than this identifies nothing (a placeholder, a shared default): not a link.
GTIN_MAX_MEMBERS = 20
# Candidates are sought within blocks (brand and an identifying token, or the numbers of a model
# number); a block larger than this (a token everything carries) is left out.
BLOCK_MAX_MEMBERS = 50

_ID = "left(md5({}), 16)"
# The members of the current data, with what identifies them (lists sorted, so that an unchanged
# member hashes the same at every load). Label models: one per source, brand and model key;
# offers: one per page (their record key).
MEMBERS = f"""
    WITH models AS (
        SELECT source, model_id, any_value(brand_normalised) AS brand, any_value(model_key) AS model_key,
               min(model) AS model, mode(category) AS category,
               list_sort(list_distinct(list(source || ':' || registry_id) FILTER (WHERE registry_id IS NOT NULL)))
                   AS registrations
        FROM current_certification GROUP BY source, model_id),
    model_gtins AS (
        SELECT m.source, m.model_id, list_sort(list_distinct(list(g.gtin))) AS gtins
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


@contextmanager
def _arrow(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, pa.Array]) -> Iterator[None]:
    """Python-made columns readable as the view `name` for the statements in the block."""
    con.register(name, pa.table(columns))
    try:
        yield
    finally:
        con.unregister(name)


def decisions_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The analysts' decisions of this database: beside its file (None for an in-memory database)."""
    [(path,)] = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return decisions.path_for(Path(path)) if path else None


def _new_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Model keys and candidate blocks of the members seen for the first time (keys NULL in the
    members table), computed here and written back; returns how many."""
    new = con.execute("SELECT member_id, model, brand, mpn FROM members_now WHERE keys IS NULL").fetchall()
    ids, keys, member_blocks = [], [], []
    for member_id, model, brand, mpn in new:
        found = list(model_keys(model, brand) + (model_keys(mpn, brand) if mpn else ()))
        ids.append(member_id)
        keys.append(found)
        member_blocks.append(blocks(found))
    computed = {
        "member_id": pa.array(ids, pa.string()),
        "keys": pa.array(keys, pa.list_(pa.string())),
        "blocks": pa.array(member_blocks, pa.list_(pa.string())),
    }
    with _arrow(con, "computed_keys", computed):
        con.execute(
            "UPDATE members_now m SET keys = c.keys, blocks = c.blocks, new = true FROM computed_keys c"
            " WHERE m.member_id = c.member_id"
        )
    return len(ids)


# Links of one kind between label models sharing a value (registrations, GTINs, or brand and
# model key): each member to the least member holding the same value. An identifier (`unique`)
# links only where each source has one member holding it: TCO Certified's GTIN API gives every
# GTIN the whole model list of its certificate, so a GTIN shared by a certificate's names says
# which certificate, not which of its models. A value held by more than $limit members (NULL: no
# limit) is left out.
SHARING = """
    WITH v AS (SELECT DISTINCT member_id, source, unnest({values}) AS value FROM members_now
               WHERE kind = 'certification' {where}),
    shared AS (SELECT value, min(member_id) AS first FROM v GROUP BY value
               HAVING count(*) > 1 AND ($limit::INTEGER IS NULL OR count(*) <= $limit::INTEGER)
                  AND (NOT $unique OR count(*) = count(DISTINCT source)))
    SELECT DISTINCT shared.first, v.member_id FROM v JOIN shared USING (value) WHERE v.member_id <> shared.first
"""

# The label models each offer could join, by link kind (strongest first): the registration its
# page links, its GTIN, its brand and model key, and, where a shop's name holds more words than a
# registry's, a model number of the registry's found among the offer's words ("Samsung
# ViewFinity S7 S27D700EAI" holds "s27d700eai"): a single-token key of four characters or more
# with letters and two digits or more.
OFFER_LINKS = """
    WITH o AS (SELECT * FROM members_now WHERE kind = 'offer'),
    c AS (SELECT * FROM members_now WHERE kind = 'certification'),
    offer_values AS (
        SELECT member_id, 1 AS strength, unnest(registrations) AS value FROM o
        UNION ALL SELECT member_id, 2, unnest(gtins) FROM o
        UNION ALL SELECT member_id, 3, brand || chr(31) || unnest(keys) FROM o WHERE brand IS NOT NULL
        UNION ALL SELECT member_id, 4, brand || chr(31) || unnest(string_split(array_to_string(keys, ' '), ' '))
                  FROM o WHERE brand IS NOT NULL),
    label_values AS (
        SELECT member_id, 1 AS strength, unnest(registrations) AS value FROM c
        UNION ALL SELECT member_id, 2, unnest(gtins) FROM c
        UNION ALL SELECT member_id, 3, brand || chr(31) || unnest(keys) FROM c WHERE brand IS NOT NULL
        UNION ALL SELECT member_id, 4, brand || chr(31) || k FROM (SELECT member_id, brand, unnest(keys) AS k FROM c)
                  WHERE brand IS NOT NULL AND NOT contains(k, ' ') AND length(k) >= 4
                    AND regexp_matches(k, '[a-z]') AND length(regexp_replace(k, '[^0-9]', '', 'g')) >= 2)
    SELECT o.member_id AS offer, o.strength, list(DISTINCT l.member_id ORDER BY l.member_id) AS members
    FROM offer_values o JOIN label_values l USING (strength, value)
    GROUP BY ALL ORDER BY offer, strength
"""
OFFER_LINK_KINDS = {1: "registration", 2: "gtin", 3: "model key", 4: "model number"}

# Pairs of label models, one of them new, of one brand and different sources sharing a candidate
# block (a block of at most $limit members). Offers are not candidates: they join a device by
# their strongest link, or stay alone.
BLOCK_PAIRS = """
    WITH b AS (SELECT member_id, source, brand, new, unnest(blocks) AS block FROM members_now
               WHERE brand IS NOT NULL AND kind = 'certification'),
    sized AS (SELECT brand, block FROM b GROUP BY ALL HAVING count(*) <= $limit AND bool_or(new))
    SELECT DISTINCT least(x.member_id, y.member_id) AS a, greatest(x.member_id, y.member_id) AS b
    FROM b x JOIN sized USING (brand, block) JOIN b y USING (brand, block)
    WHERE x.new AND x.source <> y.source
"""


def _attach_offers(con: duckdb.DuckDBPyConnection, groups: Groups) -> int:
    """Join each offer to one device: that of its strongest link naming a single device (a
    certificate's GTIN shared by its model list names several; its model key may name one). An
    offer never joins two devices (a page naming a monitor and a dock, a shop's wrong GTIN).
    Returns how many offers had links but none naming a single device."""
    by_offer = defaultdict(list)
    for offer, strength, members in con.execute(OFFER_LINKS).fetchall():  # ordered by strength
        by_offer[offer].append((strength, members))
    ambiguous = 0
    for offer, links in by_offer.items():
        single = next(((s, m) for s, m in links if len({groups.find(x) for x in m}) == 1), None)
        if single is None:
            ambiguous += 1
            continue
        strength, members = single
        groups.link(offer, members[0], OFFER_LINK_KINDS[strength])
    return ambiguous


def _mark_current(con: duckdb.DuckDBPyConnection) -> None:
    """Write each current record's device key into the current tables, so counts need no join;
    only rows whose key differs are written (after an unchanged re-link: those of the source just
    loaded)."""
    for table in (current_certification, current_across_markets):
        con.execute(
            f"""UPDATE {table.name} c SET product_key = pm.product_key FROM {product_member.name} pm
                WHERE pm.kind = 'certification' AND pm.source = c.source AND pm.model_id = c.model_id
                  AND c.product_key IS DISTINCT FROM pm.product_key"""
        )


def _state(con: duckdb.DuckDBPyConnection, decisions_path: Path | None) -> str:
    """What the links are made from: the key rules, the members with their identifiers, the decisions."""
    (members,) = con.execute(
        "SELECT concat_ws('/', count(*), bit_xor(hash(member_id, model_id, offer_key, brand, model, category, mpn,"
        " gtins, registrations))) FROM members_now"
    ).fetchone()
    return "|".join((rules_fingerprint(), members, decisions.fingerprint(decisions_path)))


def _candidate_pairs(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """The candidates kept from earlier loads (both members still current) and those of the new members."""
    pairs = {
        (a, b): score
        for a, b, score in con.execute(
            f"SELECT member_a, member_b, score FROM {product_candidate.name}"
            " WHERE member_a IN (SELECT member_id FROM members_now) AND member_b IN (SELECT member_id FROM members_now)"
        ).fetchall()
    }
    blocked = con.execute(BLOCK_PAIRS, {"limit": BLOCK_MAX_MEMBERS}).fetchall()
    keys = dict(
        con.execute(
            "SELECT member_id, keys FROM members_now WHERE list_contains($ids, member_id)",
            {"ids": list({m for pair in blocked for m in pair})},
        ).fetchall()
    )
    for a, b in blocked:
        if (a, b) not in pairs and (score := candidate_score(keys[a], keys[b])) is not None:
            pairs[(a, b)] = score
    return pairs


def _group(con: duckdb.DuckDBPyConnection, decided: dict, present: set[str]) -> tuple[Groups, int]:
    """The links, strongest first: decisions, then label models sharing a registration, a GTIN,
    a brand and model key, then each offer to one device. Returns the groups and how many offers
    had links naming several devices only."""
    groups = Groups([pair for pair, d in decided.items() if d.decision == "different" and set(pair) <= present])
    for (a, b), d in decided.items():
        if d.decision == "same" and a in present and b in present:
            groups.link(a, b, "decision")
    for how, values, where, limit, unique in (
        ("registration", "registrations", "", None, True),
        ("gtin", "gtins", "", GTIN_MAX_MEMBERS, True),
        ("model key", "list_transform(keys, lambda k: brand || chr(31) || k)", "AND brand IS NOT NULL", None, False),
    ):
        params = {"limit": limit, "unique": unique}
        for first, other in con.execute(SHARING.format(values=values, where=where), params).fetchall():
            groups.link(first, other, how)
    return groups, _attach_offers(con, groups)


def relink(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild product_member and product_candidate from the current data and the decisions
    file, in the caller's transaction, unless neither changed; returns counts for the log."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE members_now AS
            SELECT m.*, p.keys, p.blocks, false AS new FROM ({MEMBERS}) m
            LEFT JOIN {product_member.name} p USING (member_id)""",
        {"as_of_run": None, "as_of_day": None},
    )
    decisions_path = decisions_file(con)
    state = _state(con, decisions_path)
    last, linked = con.execute(
        f"SELECT (SELECT any_value(state) FROM {product_state.name}),"
        f" (SELECT count(*) FROM {product_member.name}) = (SELECT count(*) FROM members_now)"
    ).fetchone()
    if last == state and linked:  # (a product_member rebuilt empty by a schema change is linked anew)
        con.execute("DROP TABLE members_now")
        _mark_current(con)
        log.info("products: members, identifiers, decisions and key rules unchanged: links kept")
        return {"unchanged": 1}
    if last is None or last.split("|")[0] != rules_fingerprint():  # other key rules: every key anew
        con.execute("UPDATE members_now SET keys = NULL, blocks = NULL")
        con.execute(f"DELETE FROM {product_candidate.name}")
    new = _new_keys(con)
    pairs = _candidate_pairs(con)
    decided = decisions.read(decisions_path, strict=False)
    present = {  # the decided members that are current (a decision may name a member gone since)
        m
        for (m,) in con.execute(
            "SELECT member_id FROM members_now WHERE list_contains($ids, member_id)",
            {"ids": list({m for pair in decided for m in pair})},
        ).fetchall()
    }
    (members,) = con.execute("SELECT count(*) FROM members_now").fetchone()
    groups, ambiguous = _group(con, decided, present)

    product = groups.products()
    linked = {
        "member_id": pa.array(list(product), pa.string()),
        "product_id": pa.array(list(product.values()), pa.string()),
        "linked_by": pa.array([groups.linked_by.get(m) for m in product], pa.string()),
    }
    columns = {c.name: f"m.{c.name}" for c in product_member.columns} | {
        "product_id": "coalesce(g.product_id, m.member_id)",  # a member no link joined is its own device
        "linked_by": "g.linked_by",
        "product_key": "hash(coalesce(g.product_id, m.member_id))",
    }
    with _arrow(con, "linked", linked):
        con.execute(f"DELETE FROM {product_member.name}")
        con.execute(
            f"INSERT INTO {product_member.name} SELECT {', '.join(columns.values())}"
            " FROM members_now m LEFT JOIN linked g USING (member_id)"
        )
    open_pairs = [
        (a, b, s) for (a, b), s in pairs.items() if product.get(a, a) != product.get(b, b) and (a, b) not in decided
    ]
    candidates = {
        "member_a": pa.array([a for a, _, _ in open_pairs], pa.string()),
        "member_b": pa.array([b for _, b, _ in open_pairs], pa.string()),
        "score": pa.array([score for _, _, score in open_pairs], pa.float64()),
    }
    with _arrow(con, "open_candidates", candidates):
        con.execute(f"DELETE FROM {product_candidate.name}")
        con.execute(f"INSERT INTO {product_candidate.name} SELECT member_a, member_b, score FROM open_candidates")
    con.execute("DROP TABLE members_now")
    _mark_current(con)
    con.execute(f"DELETE FROM {product_state.name}")
    con.execute(f"INSERT INTO {product_state.name} VALUES ($state)", {"state": state})
    counts = {
        "members": members,
        "new members": new,
        "products": members - len(product) + len(set(product.values())),
        "open candidates": len(open_pairs),
        "kept apart by decisions": groups.refused,
        "decisions naming a record no longer current": sum(1 for pair in decided if not set(pair) <= present),
        "offers whose links name several devices": ambiguous,
    }
    log.info("products: %s", ", ".join(f"{v} {k}" for k, v in counts.items()))
    return counts
