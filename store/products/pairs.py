"""Whether two names of one brand are the same device: an automatic link (they share a model
key) or a candidate for an analyst (store.products.link keeps it until decided). The rule for a
candidate: the keys share an identifying token (a model number with letters and digits, or a
number of three digits or more), say no different generation ("g9" against "g10"), and are
similar by rapidfuzz's token-set ratio; or one key's tokens are all in the other's; or their model
numbers have the same numbers and differ in a letter or two ("f27t450fqn", "f27t450fqu": a regional suffix, or "p2424h",
"p2424ht": another device, which is why it is only a candidate)."""

import re

from rapidfuzz import fuzz

CANDIDATE_MIN_SCORE = 60  # rapidfuzz token_set_ratio, 0–100
NEAR_NUMBER_MIN_SCORE = 85  # rapidfuzz ratio of two model numbers
_GENERATION = re.compile(r"^g\d+$")
_DIGIT = re.compile(r"\d")
_NUMBERS = re.compile(r"\d+")


def identifying(token: str) -> bool:
    """A token that names a model on its own: letters and digits of three characters or more
    ("p2424ht", "x40", "t14s"), or a number of three digits or more ("840", "5440"), not a
    generation ("g10")."""
    return bool(_DIGIT.search(token)) and not _GENERATION.match(token) and len(token) >= 3


def same_by_key(keys_a: tuple[str, ...], keys_b: tuple[str, ...]) -> bool:
    """Linked without review: one name's model key is the other's."""
    return not set(keys_a).isdisjoint(keys_b)


def candidate_score(keys_a: tuple[str, ...], keys_b: tuple[str, ...]) -> float | None:
    """The best similarity of two key lists whose keys may name one device, or None."""
    best = None
    for a in keys_a:
        for b in keys_b:
            tokens_a, tokens_b = set(a.split()), set(b.split())
            shared = any(identifying(token) for token in tokens_a & tokens_b)
            contained = (tokens_a <= tokens_b or tokens_b <= tokens_a) and _DIGIT.search(a + b)
            near = any(
                _NUMBERS.findall(x) == _NUMBERS.findall(y) and fuzz.ratio(x, y) >= NEAR_NUMBER_MIN_SCORE
                for x in tokens_a - tokens_b
                if identifying(x) and not x.isdigit()
                for y in tokens_b - tokens_a
                if identifying(y) and not y.isdigit()
            )
            if not (shared or contained or near):
                continue
            generations_a = {t for t in tokens_a if _GENERATION.match(t)}
            generations_b = {t for t in tokens_b if _GENERATION.match(t)}
            if generations_a and generations_b and generations_a != generations_b:
                continue
            score = fuzz.token_set_ratio(a, b)
            if score >= CANDIDATE_MIN_SCORE and (best is None or score > best):
                best = score
    return best
