"""Shared vocabulary: brand aliases and canonical categories, kept as data in crawlers/data/."""

import re
import tomllib
from functools import cache
from importlib.resources import files

CANONICAL_CATEGORIES = (
    "notebook", "desktop", "all_in_one", "workstation", "thin_client", "tablet", "smartphone",
    "display", "projector", "headset", "imaging", "server", "data_storage", "network_equipment",
    "television", "other",
)

_DATA = files("crawlers") / "data"  # a resource path: also readable from a zipped egg (Scrapyd)
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


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
            stripped = stripped[len(prefix):]
        if stripped and stripped != key:
            return stripped
    return key


@cache
def _brand_aliases() -> dict[str, str]:
    table = tomllib.loads((_DATA / "brands.toml").read_text(encoding="utf-8"))
    return {
        collapse(alias).casefold(): canonical
        for canonical, aliases in table.items()
        for alias in [canonical, *aliases]
    }


@cache
def normalise_brand(brand: str | None) -> str | None:
    """Canonical brand for a registry spelling; an unknown brand keeps its own spelling."""
    if brand is None or not collapse(brand):
        return None
    return _brand_aliases().get(collapse(brand).casefold(), collapse(brand))


@cache
def _category_maps() -> dict[str, dict[str, str]]:
    """categories.toml flattened to {"tco": {...}, "epeat.type": {...}, ...}."""
    flat: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict) -> None:
        mapping = {k: v for k, v in table.items() if isinstance(v, str)}
        if mapping:
            unknown = set(mapping.values()) - set(CANONICAL_CATEGORIES)
            if unknown:
                raise ValueError(f"categories.toml [{prefix}]: not canonical: {sorted(unknown)}")
            flat[prefix] = mapping
        for key, sub in table.items():
            if isinstance(sub, dict):
                walk(f"{prefix}.{key}" if prefix else key, sub)

    walk("", tomllib.loads((_DATA / "categories.toml").read_text(encoding="utf-8")))
    return flat


def canonical_category(table: str, raw: str | None) -> str | None:
    """Canonical category of a raw registry string in a categories.toml table ("tco",
    "epeat.type"), or None when the table has no entry for it."""
    if raw is None:
        return None
    return _category_maps().get(table, {}).get(_NOT_ALNUM.sub("", raw.casefold()))


@cache
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of an English country name, or None when unknown."""
    import pycountry

    try:
        return pycountry.countries.lookup(collapse(name)).alpha_2
    except LookupError:
        return None
