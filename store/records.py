"""The kinds of record the store keeps, derived from their one declaration, the item models of
crawlers.items: the columns of a run file as the load reads them, the version table's columns,
and the content hash that tells versions apart. A field added to an item model is stored,
loaded and versioned without naming it here."""

import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from duckdb_engine.datatypes import Map
from pydantic import BaseModel
from sqlalchemy import ARRAY, Boolean, Column, Date, Double, Integer, Numeric, String
from sqlalchemy.types import TypeEngine

from crawlers.items import Certification, Offer

# The columns of a run file line that say whose record it is rather than what it holds.
IDENTITY = ("source", "run_id", "record_key")


def _field_type(model: type[BaseModel], name: str) -> tuple[str, TypeEngine]:
    """DuckDB and SQLAlchemy types of one item field: its annotation without None; Literal and
    str are text, a Decimal keeps the digits its field allows."""
    field = model.model_fields[name]
    annotation = field.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is typing.Literal:
        annotation = str
    if typing.get_origin(annotation) is list:
        return "VARCHAR[]", ARRAY(String)
    if typing.get_origin(annotation) is dict:  # measures: name → value
        return "MAP(VARCHAR, DOUBLE)", Map(String, Double)
    if annotation is Decimal:
        digits = next((m.max_digits for m in field.metadata if getattr(m, "max_digits", None)), 18)
        places = next((m.decimal_places for m in field.metadata if getattr(m, "decimal_places", None)), 2)
        return f"DECIMAL({digits},{places})", Numeric(digits, places)
    simple = {
        str: ("VARCHAR", String()),
        int: ("INTEGER", Integer()),
        bool: ("BOOLEAN", Boolean()),
        date: ("DATE", Date()),
    }
    if annotation not in simple:
        raise TypeError(f"{model.__name__}.{name}: no column type for {annotation!r}")
    return simple[annotation]


@dataclass(frozen=True)
class RecordKind:
    """A kind of record (its item model) and the table its versions go to."""

    table: str
    model: type[BaseModel]

    @cached_property
    def columns(self) -> dict[str, str]:
        """A run file line's columns in load order, with their DuckDB types."""
        return {name: _field_type(self.model, name)[0] for name in self.model.model_fields}

    @cached_property
    def lists(self) -> tuple[str, ...]:
        """List columns: merged when a record's lines repeat in one run file."""
        return tuple(name for name, sql in self.columns.items() if sql.endswith("[]"))

    @property
    def attributes(self) -> list[str]:
        """What a version holds besides its identity and its lists."""
        return [c for c in self.columns if c not in (*IDENTITY, *self.lists)]

    def table_columns(self) -> list[Column]:
        """The version table's columns for the record's fields (store.models adds the span)."""
        return [Column(name, _field_type(self.model, name)[1]) for name in self.columns if name not in IDENTITY]

    @property
    def content_hash(self) -> str:
        """SQL: a record's content hash, DuckDB's 64-bit hash of its attributes and lists as text.
        Lists arrive sorted and distinct (the item models make them so; the merge in load_run
        too), so equal records hash equal without sorting 250,000 lists again; a version differs
        from the record's last one when its hash does (odds of a change unnoticed: 2^-64); md5
        over to_json took 4x longer."""
        fields = ", ".join(f"'{c}': {c}" for c in [*self.attributes, *self.lists])
        return f"hash({{{fields}}})::VARCHAR"


CERTIFICATION = RecordKind("certification", Certification)
OFFER = RecordKind("offer", Offer)
KINDS = {kind.table: kind for kind in (CERTIFICATION, OFFER)}
