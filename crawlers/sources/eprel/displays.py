"""Monitor or television: the rules of display_rules.toml applied to an EPREL electronic display
(the registry does not say which it is)."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from crawlers.vocabulary import CANONICAL_CATEGORIES

UNDECIDED = "undecided"
_CONDITIONS = {"model", "diagonal_min", "diagonal_max", "aspect_min", "aspect_max", "vertical_px"}


@dataclass(frozen=True)
class DisplayRule:
    name: str
    category: str
    why: str = ""
    model: re.Pattern | None = None
    diagonal_min: float | None = None
    diagonal_max: float | None = None
    aspect_min: float | None = None
    aspect_max: float | None = None
    vertical_px: tuple[int, ...] = ()

    def holds(self, model: str, diagonal_in: float | None, horizontal: float | None, vertical: float | None) -> bool:
        """Whether every condition of the rule holds; one on a value the record lacks does not."""
        aspect = horizontal / vertical if horizontal and vertical else None
        checks = []
        if self.model is not None:
            checks.append(bool(self.model.search(model)))
        for bound, value, above in (
            (self.diagonal_min, diagonal_in, True),
            (self.diagonal_max, diagonal_in, False),
            (self.aspect_min, aspect, True),
            (self.aspect_max, aspect, False),
        ):
            if bound is not None:
                checks.append(value is not None and (value >= bound if above else value <= bound))
        if self.vertical_px:
            checks.append(vertical is not None and int(vertical) in self.vertical_px)
        return bool(checks) and all(checks)


@cache
def display_rules() -> tuple[DisplayRule, ...]:
    """The rules of display_rules.toml, in its order."""
    return parse_rules((files(__package__) / "display_rules.toml").read_text(encoding="utf-8"))


def parse_rules(text: str) -> tuple[DisplayRule, ...]:
    """Rules from TOML text, checked: a canonical category, known conditions, at least one."""
    rules = []
    for number, rule in enumerate(tomllib.loads(text).get("rule", []), 1):
        where = f"display_rules.toml rule {number} ({rule.get('name', '?')})"
        unknown = set(rule) - _CONDITIONS - {"name", "category", "why"}
        if unknown or not set(rule) & _CONDITIONS or rule.get("category") not in CANONICAL_CATEGORIES:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}, no condition, or a category not canonical")
        model = re.compile(rule.pop("model"), re.IGNORECASE) if "model" in rule else None
        rules.append(DisplayRule(**{**rule, "model": model, "vertical_px": tuple(rule.get("vertical_px", ()))}))
    return tuple(rules)


def classify(
    model: str, diagonal_in: float | None, horizontal: float | None, vertical: float | None
) -> tuple[str | None, str]:
    """(category, rule name) of the first rule that holds; (None, "undecided") when none does."""
    for rule in display_rules():
        if rule.holds(model, diagonal_in, horizontal, vertical):
            return rule.category, rule.name
    return None, UNDECIDED
