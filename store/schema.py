"""The database's schema brought to this version before a write: missing tables created through
SQLModel, missing columns added, derived tables whose columns changed dropped and filled anew
from the loaded runs, and a primary key an older version wrote rebuilt away."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
from sqlalchemy import URL, MetaData, Table, create_engine
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateTable
from sqlmodel import SQLModel

from store import (
    derived,
    models,  # noqa: F401  (registers the tables on SQLModel.metadata)
)
from store.db import DatabaseUnusable, connect


@contextmanager
def write_connection(path: Path, wait_seconds: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one unit of work, on a database whose schema is this version's."""
    con = _open_current(path, wait_seconds)
    try:
        yield con
    finally:
        con.close()


def ensure_schema(path: Path, wait_seconds: float = 60.0) -> None:
    """Create the file and any missing table or column (idempotent, cheap when present)."""
    _open_current(path, wait_seconds).close()


def _open_current(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open read-write, first bringing the schema to this version: missing columns added
    (existing rows get the column's default), missing tables created through SQLModel and the
    derived ones (also those whose columns differ) filled from the loaded runs."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnusable(f"{path}: cannot create its folder: {error.strerror}") from None
    con = connect(path, read_only=False, wait_seconds=wait_seconds)
    try:
        present = set(
            con.execute(
                "SELECT table_name, column_name FROM duckdb_columns()"
                " WHERE database_name = current_database() AND schema_name = 'main'"
            ).fetchall()
        )
        missing = [
            (t, c) for t in SQLModel.metadata.sorted_tables for c in t.columns if (t.name, c.name) not in present
        ]
        new_tables = {t.name for t, _ in missing if not any(name == t.name for name, _ in present)}
        declared = {(t.name, c.name) for t in SQLModel.metadata.sorted_tables for c in t.columns}
        outdated = {t.name for t, _ in missing if t.name in derived.DERIVED_TABLES} - new_tables
        outdated |= {t for t, c in present - declared if t in derived.DERIVED_TABLES}
        for name in outdated:  # derived rows are rebuilt whole, never patched with a default
            con.execute(f"DROP TABLE {name}")
        new_tables |= outdated
        for table, column in ((t, c) for t, c in missing if t.name not in new_tables):
            default = column.server_default
            fill = f" DEFAULT '{default.arg}'" if default is not None and isinstance(default.arg, str) else ""
            con.execute(
                f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {column.type.compile(dialect=_dialect())}{fill}'
            )
        keyed = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_constraints() WHERE database_name ="
                " current_database() AND constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        }
        for table in SQLModel.metadata.sorted_tables:
            if table.name in keyed and not table.primary_key.columns:
                _drop_primary_key(con, table)
        if not new_tables:
            return _identified(con)
        con.close()
        engine = create_engine(URL.create("duckdb", database=str(path)))  # a path holding ?, # or % stays a path
        try:
            SQLModel.metadata.create_all(engine)
        finally:
            engine.dispose()
        con = connect(path, read_only=False, wait_seconds=wait_seconds)
        backfilled = new_tables & set(derived.DERIVED_TABLES)
        if backfilled:
            con.execute("BEGIN TRANSACTION")
            derived.backfill(con, backfilled)
            con.execute("COMMIT")
        return _identified(con)
    except BaseException:
        con.close()
        raise


def _identified(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The database's identity (store.run_files) made once, when it has none yet."""
    con.execute("INSERT INTO database_identity SELECT uuid()::VARCHAR WHERE NOT EXISTS (FROM database_identity)")
    return con


def database_id(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT id FROM database_identity").fetchone()[0]


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction; one DuckDB already aborted (disk full, say) has nothing to
    roll back, and saying "no transaction is active" would hide the error that ended it."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


@cache
def _dialect() -> Dialect:
    return create_engine("duckdb:///:memory:").dialect


def _drop_primary_key(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Rebuild `table`, declared without a primary key but written with one by an earlier
    version (DuckDB cannot drop a key), with its rows in their order, in one transaction."""
    rebuilt = table.to_metadata(MetaData(), name=f"{table.name}_rebuilt")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(str(CreateTable(rebuilt).compile(dialect=_dialect())))
        con.execute(f"INSERT INTO {rebuilt.name} BY NAME SELECT * FROM {table.name}")
        con.execute(f"DROP TABLE {table.name}")
        con.execute(f"ALTER TABLE {rebuilt.name} RENAME TO {table.name}")
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
