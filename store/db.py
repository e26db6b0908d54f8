"""Where the database is, and short-lived connections that wait out DuckDB's file lock. Bringing
a database's schema to this version is store.schema's.

DuckDB lets one process write, or several read, at a time. Every connection here is opened
for one unit of work and closed; a lock held by another process is retried with backoff up to
a bound, then reported as DatabaseLocked naming the file.
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data/labelwatch.duckdb")


class DatabaseLocked(RuntimeError):
    """Another process held the database's lock for longer than we were willing to wait."""


class DatabaseMissing(FileNotFoundError):
    """A reader asked for a database file that does not exist yet."""


class DatabaseUnusable(RuntimeError):
    """The path is not a database labelwatch can open: a directory, a device, another kind of
    file, a damaged one, or one it may not write."""


# A file that is not DuckDB's (SQLite, say) must not make DuckDB fetch an extension to read it.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: an explicit path, else $LABELWATCH_DB, else data/labelwatch.duckdb."""
    return Path(path or os.environ.get("LABELWATCH_DB") or DEFAULT_DB)


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def connect(path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting out another process's lock up to `wait_seconds`."""
    if path.exists() and not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file"
        raise DatabaseUnusable(f"{path}: {kind}, not a database file")
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise DatabaseUnusable(
                    f"{path}: cannot open{'' if read_only else ' for writing'}: {_first_line(error)}"
                ) from None
            if time.monotonic() >= deadline:
                raise DatabaseLocked(
                    f"{path}: locked by another process for more than {wait_seconds:.0f} s ({error})"
                ) from error
            time.sleep(min(delay, max(deadline - time.monotonic(), 0.01)))
            delay = min(delay * 2, 1.0)
        except duckdb.Error as error:
            raise DatabaseUnusable(f"{path}: not a database labelwatch can read: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__


@contextmanager
def read_connection(path: Path, wait_seconds: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one query batch; never creates the file."""
    if not path.exists():
        raise DatabaseMissing(f"{path}: no database yet (run `labelwatch crawl` first)")
    con = connect(path, read_only=True, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()
