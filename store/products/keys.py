"""Model keys: the tokens of a model name that identify a device, so that one device's names in
different registries and shops meet ("HP EliteBook 840 14 inch G10 Notebook PC ENERGY STAR" and
"HP EliteBook 840 G10" both give "840 elitebook g10"), and devices of one series do not
("840 g9", "p2424h" and "p2424ht" stay apart).

The brand's words, sizes, configuration figures (180W, 256GB, 48MP) and the words of
model_words.toml are dropped, "Gen 5" / "Generation 5" / "5th Gen" read "g5", hyphens and
slashes split tokens, and the rest is kept as a sorted set (word order does not tell devices
apart). A name may hold several
(a comma list of model numbers, an EPEAT "(Series: …)"); each gives a key. A key without a
digit, or shorter than four characters, identifies nothing and is not given."""

import hashlib
import re
import tomllib
from functools import cache, lru_cache
from importlib.resources import files

from crawlers.vocabulary import brand_key, normalise_brand, plain

_SERIES = re.compile(r"\(\s*series\s*:?([^)]*)\)?", re.IGNORECASE)
_LIST = re.compile(r",(?!\d)|;")  # a list's separators, not a decimal comma ("6,3 Zoll")
_PARENTHESES = re.compile(r"[()\[\]]")
_SIZE = re.compile(r"\d+(?:[.,]\d+)?\s*-?\s*(?:inch(?:es)?\b|in\b|\"|''|”|cm\b|zoll\b)")
_CONFIGURATION = re.compile(r"^\d+(?:w|gb|tb|mb|mp|mah|hz)$")  # power, memory, storage, camera, battery, refresh
_GENERATION = re.compile(r"\b(?:gen(?:eration)?\.?\s*(\d+)|(\d+)(?:st|nd|rd|th)\s*gen(?:eration)?)\b")
_TOKEN = re.compile(r"[0-9a-z]+")
_DIGIT = re.compile(r"\d")


# Raised when a rule here changes, so a database's stored keys are worked out anew (store.products.link).
RULES_VERSION = 1


def _words_text() -> str:
    return (files(__package__) / "model_words.toml").read_text(encoding="utf-8")


@cache
def _dropped() -> frozenset[str]:
    """Every word of model_words.toml."""
    return frozenset(word for words in tomllib.loads(_words_text()).values() for word in words)


@cache
def rules_fingerprint() -> str:
    """The key rules' version and word lists, hashed: what stored keys were made with."""
    return hashlib.sha256(f"{RULES_VERSION}\n{_words_text()}".encode()).hexdigest()[:16]


def names(model: str) -> list[str]:
    """The names a model string holds: its comma or semicolon list, and the models an EPEAT
    "(Series: F1404V, R1404V)" names beside the first."""
    listed = [series for match in _SERIES.finditer(model) for series in _LIST.split(match.group(1))]
    return [name for name in (*_LIST.split(_SERIES.sub(" ", model)), *listed) if name.strip()]


def _brand_words(brand: str | None) -> frozenset[str]:
    words = set()
    for spelling in filter(None, (brand, normalise_brand(brand))):
        words.update(_TOKEN.findall(brand_key(spelling)))
    return frozenset(words)


@lru_cache(maxsize=65_536)
def model_keys(model: str, brand: str | None = None) -> tuple[str, ...]:
    """The distinct model keys of a model name of this brand, in the order of its names."""
    keys = []
    brand_words = _brand_words(brand)
    for name in names(model):
        text = _GENERATION.sub(
            lambda m: f" g{m.group(1) or m.group(2)} ", _SIZE.sub(" ", plain(_PARENTHESES.sub(" ", name)))
        )
        tokens = {
            token
            for token in _TOKEN.findall(text)
            if token not in brand_words and token not in _dropped() and not _CONFIGURATION.match(token)
        }
        key = " ".join(sorted(tokens))
        if _DIGIT.search(key) and len(key.replace(" ", "")) >= 4 and key not in keys:
            keys.append(key)
    return tuple(keys)
