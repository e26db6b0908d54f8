"""What a source declares about itself: the labels it certifies, their level scales, the flags
its records may carry, its market scope and settings. Everything outside a source's folder (the
store, the CLI, the dashboard, the monitors) reads these instead of naming a source.

Nothing here imports Scrapy: the dashboard and the CLI read declarations without crawling.
"""

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from typing import Any, Literal

from crawlers.vocabulary import CANONICAL_CATEGORIES, lookup, plain, shared_category

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def slug(text: str) -> str:
    """A name as a key for URLs and settings: lower case, runs of other characters as `_`."""
    return _NOT_ALNUM.sub("_", plain(text).replace("+", " plus")).strip("_")


def N_(text: str) -> str:
    """Marks a text a person reads (a scale's name, a validity rule, a caveat, a flag's help) for
    the dashboard's translation catalogues (dashboard/i18n.py); returns it unchanged."""
    return text


@dataclass(frozen=True)
class LevelScale:
    """A label's ordered levels, lowest first: "Bronze" < "Silver" < "Gold" rank 1, 2, 3.

    `numeric`: each level is a number and ranks by its value (TCO Certified generation 10 ranks
    10), so a level the declaration does not list yet (a new generation) still ranks; `levels`
    are then the ones offered as choices. `name` is what one level is called ("tier",
    "generation"); `shown` how a level reads to a person ("generation {level}")."""

    name: str
    levels: tuple[str, ...]
    numeric: bool = False
    shown: str = "{level}"

    def rank(self, level: Any) -> int | None:
        """The level's rank; None for a level this scale does not know (or no level)."""
        if level is None:
            return None
        text = str(level).strip()
        if self.numeric:
            return int(text) if text.isdigit() and len(text) <= 6 else None
        return self.levels.index(text) + 1 if text in self.levels else None

    def level(self, rank: int) -> str:
        """The level of a rank (the inverse of rank())."""
        return str(rank) if self.numeric else self.levels[rank - 1]

    def show(self, level: str) -> str:
        return self.shown.format(level=level)


@dataclass(frozen=True)
class Label:
    """A label as buyers name it ("TCO Certified", "EPEAT"), with its level scale."""

    name: str
    scale: LevelScale | None = None

    @property
    def key(self) -> str:
        return slug(self.name)


@dataclass(frozen=True)
class Flag:
    """A named yes/no a record may carry (EPEAT Climate+). Records store the names of the flags
    they carry; a filter on a flag keeps the records of its source that carry it and leaves
    other sources' records alone."""

    name: str
    help: str = ""

    @property
    def key(self) -> str:
        return slug(self.name)


@dataclass(frozen=True)
class Source:
    """One source: a folder under crawlers/sources/ (or a package named in
    LABELWATCH_SOURCE_PACKAGES) whose `__init__.py` holds `SOURCE = Source(...)`.

    - `name`: the spider's name and the `source` column of its records.
    - `title`: the registry as a person names it.
    - `labels`: what its records certify; a record's `label` is one of these names.
    - `record_kind`: "certification" (label registries) or "offer" (shops).
    - `flags`: yes/no attributes its records may carry.
    - `markets`: "global" certificates or registrations "per_country".
    - `market_scope`: for a registry whose registrations hold in a group of countries without
      naming one (EPREL: the EU's member states), their ISO codes; each record is counted in
      each of those markets, and once in "any market" (crawlers.pipelines.ValidationPipeline
      copies a record without a market into each, validated once).
    - `validity`: what "valid on a day" means for its records, in a buyer's words;
      `caveats`: what else a reader of its counts should know.
    - `record_link`: a registry link for a record, `{certificate_id}` filled in (or None);
      `link_opens`: what a record's link opens, in a buyer's words (EPEAT's opens a search page).
    - `registration_pages`: addresses of the registry's public page of one registration,
      `{registration}` marking its number (the records' `registry_id`) and `{any}` one path
      segment: a shop page that links one names the record it sells (offers match by it).
    - `settings`: its Scrapy settings and their defaults (registry URLs, page sizes); `--set`
      overrides them. `environment`: variables it reads credentials from (never stored).
    - `criteria`: measures (crawlers.measures) a buyer may ask a minimum of, offered by the
      pre-tender check and `report availability --min-measure` (EPREL: battery cycles, IP code).
    - `monitor_min_share`: per-field floors of the monitors that differ for this source (a
      source whose labels have no level scale needs no level: its floor is 0).
    """

    name: str
    title: str
    labels: tuple[Label, ...] = ()
    record_kind: Literal["certification", "offer"] = "certification"
    flags: tuple[Flag, ...] = ()
    markets: Literal["global", "per_country"] = "global"
    market_scope: tuple[str, ...] = ()
    validity: str = ""
    caveats: str = ""
    record_link: str | None = None
    link_opens: str = ""
    registration_pages: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    environment: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    monitor_min_share: dict[str, float] = field(default_factory=dict)
    package: str = ""  # filled in by the registry: the module the declaration lives in

    @property
    def spider_module(self) -> str:
        return f"{self.package}.spider"

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(f"{self.name}: no label {name!r}")

    def spider_settings(self) -> dict[str, Any]:
        """What the source's spider sets at spider priority: its settings' defaults and its
        monitor floors."""
        floors = {**({} if any(label.scale for label in self.labels) else {"level": 0.0}), **self.monitor_min_share}
        return {**self.settings, **({"LABELWATCH_MONITOR_MIN_SHARE": floors} if floors else {})}

    @cached_property
    def categories(self) -> dict[str, dict[str, str]]:
        """The folder's categories.toml: per table (the registry's field, e.g. "type",
        "category"), the spellings only this registry uses (crawlers.vocabulary.category_keys)
        to canonical categories; {} when the folder has none."""
        resource = files(self.package) / "categories.toml"
        if not resource.is_file():
            return {}
        tables = tomllib.loads(resource.read_text(encoding="utf-8"))
        for table, mapping in tables.items():
            unknown = set(mapping.values()) - set(CANONICAL_CATEGORIES)
            if unknown:
                raise ValueError(f"{self.package}/categories.toml [{table}]: not canonical: {sorted(unknown)}")
        return tables

    def category(self, table: str, raw: str | None) -> str | None:
        """Canonical category of a raw registry string: the folder's table first, then the
        shared vocabulary (crawlers/data/categories.toml); None when neither knows it."""
        return lookup(self.categories.get(table, {}), raw) or shared_category(raw)
