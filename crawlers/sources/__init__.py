"""The source registry: every folder of this package whose `__init__.py` declares
`SOURCE = Source(...)` (crawlers.sources.declaration) is a source, and so is every such folder
of the packages named in LABELWATCH_SOURCE_PACKAGES (comma-separated importable names), so a
source can also live outside this repository. Adding a source is adding its folder; see
README.md ("Adding a source").
"""

import importlib
import os
import pkgutil
from dataclasses import replace
from functools import cache

from crawlers.sources.declaration import Flag, Label, LevelScale, Source

__all__ = [
    "Flag",
    "Label",
    "LevelScale",
    "Source",
    "UnknownSource",
    "all_sources",
    "criteria",
    "get_source",
    "labels",
    "label_source",
    "sources_of",
    "source_packages",
]

PACKAGES_VARIABLE = "LABELWATCH_SOURCE_PACKAGES"


class UnknownSource(KeyError):
    """A source or label name the registry does not have; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def source_packages() -> tuple[str, ...]:
    extra = [name.strip() for name in os.environ.get(PACKAGES_VARIABLE, "").split(",") if name.strip()]
    return (__name__, *extra)


@cache
def _discover(packages: tuple[str, ...]) -> dict[str, Source]:
    found: dict[str, Source] = {}
    for package_name in packages:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.ispkg:
                continue
            name = f"{package_name}.{module.name}"
            declared = getattr(importlib.import_module(name), "SOURCE", None)
            if not isinstance(declared, Source):
                continue
            if declared.name in found:
                raise ValueError(f"source {declared.name!r} declared twice: {found[declared.name].package} and {name}")
            found[declared.name] = replace(declared, package=name)
    from crawlers.measures import MEASURES  # measures name their titles with N_ from the declaration module

    for source in found.values():
        undeclared = sorted(set(source.criteria) - set(MEASURES))
        if undeclared:
            raise ValueError(f"source {source.name}: criteria {undeclared} are not measures of crawlers/measures.py")
    taken: dict[str, str] = {}
    for source in found.values():
        for label in source.labels:
            if taken.setdefault(label.name, source.name) != source.name:
                raise ValueError(f"label {label.name!r} declared by {taken[label.name]} and {source.name}")
    return dict(sorted(found.items()))


def all_sources() -> dict[str, Source]:
    """Every declared source by name, sorted."""
    return _discover(source_packages())


def get_source(name: str) -> Source:
    sources = all_sources()
    if name not in sources:
        raise UnknownSource(f"unknown source {name}; known: {', '.join(sources)}")
    return sources[name]


def labels() -> dict[str, tuple[Source, Label]]:
    """Every declared label by name, with its source."""
    return {label.name: (source, label) for source in all_sources().values() for label in source.labels}


def criteria() -> dict[str, list[str]]:
    """Every measure some source offers as a criterion, with the sources offering it."""
    found: dict[str, list[str]] = {}
    for source in all_sources().values():
        for measure in source.criteria:
            found.setdefault(measure, []).append(source.name)
    return found


def sources_of(label_names) -> list[Source]:
    """The sources declaring these labels, each once, in the order first named; unknown names
    are left out."""
    known = labels()
    found: dict[str, Source] = {}
    for name in label_names:
        if name in known:
            found.setdefault(known[name][0].name, known[name][0])
    return list(found.values())


def label_source(name: str) -> tuple[Source, Label]:
    known = labels()
    if name not in known:
        raise UnknownSource(f"unknown label {name!r}; known: {', '.join(known)}")
    return known[name]
