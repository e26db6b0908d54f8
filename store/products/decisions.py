"""Analysts' decisions on candidate links, kept as a CSV file beside the database
(`<database>.product-decisions.csv`): one line per decision, `member_a,member_b,decision,who,when,why`
(`decision`: same or different; who, when and why optional). Reviewable and editable by hand;
a later line on the same pair overrides an earlier one. Applied at every load (store.products.link)."""

import csv
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

FIELDS = ("member_a", "member_b", "decision", "who", "when", "why")
DECISIONS = ("same", "different")


class DecisionsError(ValueError):
    """A decisions file line that cannot be applied, named by file, line and field."""


@dataclass(frozen=True)
class Decision:
    decision: str
    who: str = ""
    when: str = ""
    why: str = ""


def path_for(db: Path) -> Path:
    return db.with_name(db.name.removesuffix(".duckdb") + ".product-decisions.csv")


def pair(a: str, b: str) -> tuple[str, str]:
    """A pair of member ids in one order, whichever way it was written."""
    return (a, b) if a <= b else (b, a)


def read(path: Path | None, strict: bool = True) -> dict[tuple[str, str], Decision]:
    """The decisions in force, by pair. A bad line raises DecisionsError (`strict`), else is
    logged and skipped: a load does not fail on one line an analyst mistyped."""
    if path is None or not path.exists():
        return {}
    found = {}
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is None or not {"member_a", "member_b", "decision"} <= set(reader.fieldnames):
            problem = f"{path}: header must start with {','.join(FIELDS)}"
            if strict:
                raise DecisionsError(problem)
            log.warning("%s; no decision applied", problem)
            return {}
        for line, row in enumerate(reader, 2):
            problem = None
            a, b = (row.get("member_a") or "").strip(), (row.get("member_b") or "").strip()
            decision = (row.get("decision") or "").strip().lower()
            if not a or not b or a == b:
                problem = "member_a and member_b: two different member ids needed"
            elif decision not in DECISIONS:
                problem = f"decision: {decision!r} is not one of {', '.join(DECISIONS)}"
            if problem:
                if strict:
                    raise DecisionsError(f"{path}, line {line}, {problem}")
                log.warning("%s, line %s, %s; line skipped", path, line, problem)
                continue
            found[pair(a, b)] = Decision(decision, *((row.get(f) or "").strip() for f in ("who", "when", "why")))
    return found


def fingerprint(path: Path | None) -> str:
    """What the decisions file holds, as a hash (empty: no file), so a load can tell it changed."""
    if path is None or not path.exists():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def append(path: Path, a: str, b: str, decision: str, who: str = "", why: str = "") -> None:
    """Record a decision as a new line (the file and its header created if missing)."""
    if decision not in DECISIONS:
        raise DecisionsError(f"decision: {decision!r} is not one of {', '.join(DECISIONS)}")
    read(path)  # refuse to add to a file that is already unreadable
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        if new:
            writer.writerow(FIELDS)
        first, second = pair(a, b)
        writer.writerow([first, second, decision, who, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), why])
