"""Run files: a run's validated records as JSON lines, written during the crawl, loaded after it.

A run file belongs to one database and one run: it lives under a folder named after the
database file (`<db dir>/runs/<db file name>/<source>/run-<id>.jsonl`) and its first line names
the database (its identity, store.models.DatabaseIdentity), source and run, so two databases in
one folder never load each other's runs.
"""

import json
from pathlib import Path

HEADER_KEY = "labelwatch_run_file"


def run_file_path(db: Path, source: str, run_id: int) -> Path:
    return db.parent / "runs" / db.name / source / f"run-{run_id}.jsonl"


def write_header(path: Path, database: str, source: str, run_id: int) -> None:
    """Create the run file with its header line (the records' columns read it as an empty row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {HEADER_KEY: {"database": database, "source": source, "run_id": run_id}}
    path.write_text(json.dumps(header) + "\n", encoding="utf-8")


def read_header(path: Path) -> dict | None:
    """The header of a run file, or None if its first line is not one."""
    with path.open("rb") as lines:
        first = lines.readline(4096)
    try:
        header = json.loads(first).get(HEADER_KEY)
    except (ValueError, AttributeError):
        return None
    return header if isinstance(header, dict) else None


def prune(db: Path, source: str, keep: int) -> list[Path]:
    """Delete the source's run files but the newest `keep` (by run id), after a load: an older run
    can no longer be loaded or accepted (store.load refuses a run older than a loaded one)."""
    folder = run_file_path(db, source, 0).parent
    ids = {int(p.stem.removeprefix("run-")): p for p in folder.glob("run-*.jsonl") if p.stem[4:].isdigit()}
    pruned = [ids[run_id] for run_id in sorted(ids, reverse=True)[max(keep, 1) :]]
    for path in pruned:
        path.unlink(missing_ok=True)
    return pruned
