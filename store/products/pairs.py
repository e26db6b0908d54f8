"""Whether two names of one brand are the same device: an automatic link (they share a model
key) or a candidate for an analyst (store.products.link keeps it until decided). A candidate:
the keys share an identifying token (three characters or more, two of them digits), or one
key's tokens are all in the other's, or their model numbers have the same numbers and differ in
a letter or two ("f27t450fqn", "f27t450fqu": a regional suffix; "p2424h", "p2424ht": another
device, which is why it is only a candidate); never two different generations ("g9", "g10");
and similar enough by rapidfuzz's token-set ratio."""

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

CANDIDATE_MIN_SCORE = 60  # rapidfuzz token_set_ratio, 0–100
NEAR_NUMBER_MIN_SCORE = 85  # rapidfuzz ratio of two model numbers
_GENERATION = re.compile(r"^g\d+$")
_DIGIT = re.compile(r"\d")
_NUMBERS = re.compile(r"\d+")


def identifying(token: str) -> bool:
    """A token that names a model on its own: three characters or more with at least two digits
    ("p2424ht", "x40", "t14s", "840"), not a generation ("g10"); a code with one digit is a
    revision or configuration ("e3bi", "l7bmipruzx"), shared by many models."""
    return len(_DIGIT.findall(token)) >= 2 and not _GENERATION.match(token) and len(token) >= 3


def same_by_key(keys_a: tuple[str, ...], keys_b: tuple[str, ...]) -> bool:
    """Linked without review: one name's model key is the other's."""
    return not set(keys_a).isdisjoint(keys_b)


@dataclass(frozen=True)
class KeyParts:
    """What the candidate rule reads of a model key, worked out once per key."""

    key: str
    tokens: frozenset[str]
    identifying: frozenset[str]
    generations: frozenset[str]
    model_numbers: dict[tuple[str, ...], frozenset[str]]  # identifying tokens with letters, by their numbers


@lru_cache(maxsize=262_144)
def parts(key: str) -> KeyParts:
    """A key's tokens, identifying tokens, generations and model numbers."""
    tokens = frozenset(key.split())
    found = frozenset(t for t in tokens if identifying(t))
    numbers = defaultdict(set)
    for token in found:
        if not token.isdigit():
            numbers[tuple(_NUMBERS.findall(token))].add(token)
    return KeyParts(
        key,
        tokens,
        found,
        frozenset(t for t in tokens if _GENERATION.match(t)),
        {n: frozenset(t) for n, t in numbers.items()},
    )


def blocks(keys: tuple[str, ...] | list[str]) -> list[str]:
    """Where a member's candidates are sought (store.products.link): its identifying tokens and
    the numbers of its model numbers ("#24-24" for p2424h and p2424ht). Two members sharing no
    block are never compared."""
    found = [parts(key) for key in keys]
    return sorted(
        {t for k in found for t in k.identifying} | {"#" + "-".join(n) for k in found for n in k.model_numbers}
    )


def _near(a: KeyParts, b: KeyParts) -> bool:
    """A model number of each that differs from the other's in letters only, by a letter or two."""
    return any(
        fuzz.ratio(x, y) >= NEAR_NUMBER_MIN_SCORE
        for numbers, tokens in a.model_numbers.items()
        for x in tokens - b.tokens
        for y in b.model_numbers.get(numbers, frozenset()) - a.tokens
    )


def candidate_score(keys_a: tuple[str, ...], keys_b: tuple[str, ...]) -> float | None:
    """The best similarity of two key lists whose keys may name one device, or None."""
    best = None
    for a in map(parts, keys_a):
        for b in map(parts, keys_b):
            shared = not a.identifying.isdisjoint(b.identifying)
            contained = a.tokens <= b.tokens or b.tokens <= a.tokens
            if not (shared or contained or _near(a, b)):
                continue
            if a.generations and b.generations and a.generations != b.generations:
                continue
            score = fuzz.token_set_ratio(a.key, b.key)
            if score >= CANDIDATE_MIN_SCORE and (best is None or score > best):
                best = score
    return best
