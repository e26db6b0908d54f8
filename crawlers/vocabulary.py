"""Shared vocabulary: canonical categories and their spellings (crawlers/data/categories.toml),
brand aliases (crawlers/data/brands.toml), model keys and country names. A source maps the
spellings only it uses in its own categories.toml (crawlers.sources.declaration)."""

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from importlib.resources import files

CANONICAL_CATEGORIES = (
    "notebook",
    "desktop",
    "all_in_one",
    "workstation",
    "thin_client",
    "tablet",
    "smartphone",
    "display",
    "projector",
    "headset",
    "imaging",
    "server",
    "data_storage",
    "network_equipment",
    "television",
    "other",
)

_DATA = files("crawlers") / "data"  # a resource path: also readable from a zipped egg (Scrapyd)
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def plain(text: str) -> str:
    """Text without accents, lower case: the first step of every key made from a name."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


@lru_cache(maxsize=4096)
def category_keys(raw: str) -> tuple[str, ...]:
    """The keys a raw category string is looked up under in a category table: without accents,
    lower case, letters and digits only ("Tablet/Slate" -> "tabletslate"); and, for a plural
    ending in "s", its singular ("Monitors" -> "monitors", "monitor")."""
    key = _NOT_ALNUM.sub("", plain(raw))
    return (key, key[:-1]) if key.endswith("s") and len(key) > 2 else (key,)


def lookup(table: dict[str, str], raw: str | None) -> str | None:
    """The value a category table gives a raw string under one of its category_keys()."""
    if raw is None:
        return None
    return next((table[key] for key in category_keys(raw) if key in table), None)


@cache
def _shared_categories() -> dict[str, dict[str, str]]:
    tables = tomllib.loads((_DATA / "categories.toml").read_text(encoding="utf-8"))
    unknown = set(tables["category"].values()) - set(CANONICAL_CATEGORIES)
    if unknown:
        raise ValueError(f"crawlers/data/categories.toml: not canonical: {sorted(unknown)}")
    return tables


@lru_cache(maxsize=4096)
def shared_category(raw: str | None) -> str | None:
    """Canonical category of a raw spelling in the shared vocabulary, or None."""
    return lookup(_shared_categories()["category"], raw)


@lru_cache(maxsize=4096)
def out_of_scope(raw: str | None) -> str | None:
    """Why a raw category is outside what labelwatch counts (e.g. "photovoltaics"), or None."""
    return lookup(_shared_categories()["out_of_scope"], raw)


def collapse(text: str) -> str:
    """Trim and fold runs of white space to one space."""
    return _SPACES.sub(" ", text).strip()


def model_key(model: str) -> str:
    """Key under which two spellings of one model name count once."""
    return collapse(model).casefold()


def without_brand(key: str, *brands: str | None) -> str:
    """A model key without the brand written in front of it, once or repeated ("fairphone
    fairphone 4" → "4"); the key itself when nothing else would remain."""
    for brand in filter(None, brands):
        prefix = model_key(brand) + " "
        stripped = key
        while stripped.startswith(prefix):
            stripped = stripped[len(prefix) :]
        if stripped and stripped != key:
            return stripped
    return key


# Legal forms a company name may end with ("Dell Inc.", "Fujitsu Limited", "AOC International
# (Europe) B.V."), dropped by brand_key. Dots are removed first, so "B.V." reads "bv".
_LEGAL_FORMS = frozenset(
    {
        "ab",
        "ag",
        "as",
        "bv",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "inc",
        "incorporated",
        "kg",
        "kk",
        "limited",
        "llc",
        "ltd",
        "nv",
        "oy",
        "plc",
        "pte",
        "pty",
        "sa",
        "sarl",
        "sas",
        "spa",
        "srl",
    }
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[0-9a-z]+")


@cache
def brand_key(brand: str) -> str:
    """The rule part of brand normalisation: accents, case, anything in parentheses, punctuation
    and trailing legal forms dropped ("ASUSTeK Computer Inc." -> "asustek computer", "AOC
    International (Europe) B.V." -> "aoc international"); never empty for a non-empty name."""
    text = plain(brand).replace(".", "")
    words = _WORD.findall(_PARENTHESES.sub(" ", text)) or _WORD.findall(text)
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


@cache
def _brand_aliases() -> dict[str, str]:
    """brand_key of every spelling in crawlers/data/brands.toml -> its canonical brand."""
    table = tomllib.loads((_DATA / "brands.toml").read_text(encoding="utf-8"))
    return {brand_key(alias): canonical for canonical, aliases in table.items() for alias in [canonical, *aliases]}


def brand_placed(brand: str | None) -> bool:
    """Whether the alias table knows the brand (after the rule); an unplaced brand is counted
    in the run's stats so the table can grow."""
    return bool(brand) and brand_key(brand) in _brand_aliases()


@cache
def normalise_brand(brand: str | None) -> str | None:
    """The one brand normaliser of registries and shops: the rule (brand_key), then the alias
    table (crawlers/data/brands.toml, data, not code). A brand the table does not know is its
    key with each word capitalised ("FRAMEWORK Computer Inc" -> "Framework Computer"), so every
    spelling of it counts once."""
    if brand is None or not collapse(brand):
        return None
    key = brand_key(brand)
    if not key:
        return collapse(brand)
    return _brand_aliases().get(key) or " ".join(word.capitalize() for word in key.split())


# The European Union's member states (ISO 3166-1 alpha-2), the market of an EU registration.
EU_MEMBER_STATES = tuple("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code, as the registries write it ("Belgium")."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise KeyError(f"not an ISO 3166-1 alpha-2 code: {code!r}")
    return getattr(country, "common_name", country.name)


@cache
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of an English country name, or None when unknown."""
    import pycountry

    try:
        return pycountry.countries.lookup(collapse(name)).alpha_2
    except LookupError:
        return None
