"""Shared vocabulary: canonical categories, brand aliases (data in crawlers/data/brands.toml),
model keys and country names. Each source maps its own category spellings (its categories.toml)."""

import re
import tomllib
from functools import cache
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


@cache
def _brand_aliases() -> dict[str, str]:
    table = tomllib.loads((_DATA / "brands.toml").read_text(encoding="utf-8"))
    return {
        collapse(alias).casefold(): canonical for canonical, aliases in table.items() for alias in [canonical, *aliases]
    }


@cache
def normalise_brand(brand: str | None) -> str | None:
    """Canonical brand for a registry spelling; an unknown brand keeps its own spelling."""
    if brand is None or not collapse(brand):
        return None
    return _brand_aliases().get(collapse(brand).casefold(), collapse(brand))


@cache
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of an English country name, or None when unknown."""
    import pycountry

    try:
        return pycountry.countries.lookup(collapse(name)).alpha_2
    except LookupError:
        return None
