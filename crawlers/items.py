"""The item model: one certification record, validated once at the pipeline boundary."""

from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from crawlers.gtin import to_gtin14
from crawlers.vocabulary import CANONICAL_CATEGORIES, collapse, model_key, normalise_brand

Category = Literal[CANONICAL_CATEGORIES]  # type: ignore[valid-type]


@lru_cache(maxsize=1 << 15)
def _invalid_gtins(values: tuple[str, ...]) -> tuple[str, ...]:
    """Values that are not GTIN-14s with a valid check digit. Cached per list: a product's
    identifier list repeats in every country it is registered in."""
    return tuple(v for v in values if len(v) != 14 or to_gtin14(v) != v)


class Certification(BaseModel):
    """One model name under one label certificate (or registration), as a registry shows it.

    `record_key` identifies the record within its source across runs; `brand_normalised`
    and `model_key` are derived here so every source counts models the same way. Validity:
    `valid_until` is the certificate's expiry (TCO) or the archival date (EPEAT); None means
    no end is known.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str
    run_id: int
    record_key: str
    label: str
    level: str | None
    brand: str | None
    brand_normalised: str | None = None
    model: str
    model_key: str = ""
    category: Category
    category_raw: str | None
    certificate_id: str | None
    valid_from: date | None
    valid_until: date | None
    status: str | None
    gtins: list[str]
    url: str | None
    market: str | None = None  # country for per-country registries; None = global certificate
    market_code: str | None = None  # ISO 3166-1 alpha-2
    climate_plus: bool | None = None
    score_points: int | None = None
    score_max: int | None = None
    registered_on: date | None = None
    archived_on: date | None = None
    exceptions: str | None = None
    registry_id: str | None = None
    part_numbers: list[str] = []

    @field_validator("model", "brand")
    @classmethod
    def _collapse(cls, value: str | None) -> str | None:
        return collapse(value) if value is not None else None

    @field_validator("model", "record_key", "label", "source")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("gtins")
    @classmethod
    def _gtin14(cls, values: list[str]) -> list[str]:
        bad = _invalid_gtins(tuple(values))
        if bad:
            raise ValueError(f"not GTIN-14 with a valid check digit: {list(bad[:3])}")
        return sorted(set(values))

    @model_validator(mode="after")
    def _derive(self) -> "Certification":
        self.brand_normalised = normalise_brand(self.brand)
        self.model_key = model_key(self.model)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(f"valid_until {self.valid_until} is before valid_from {self.valid_from}")
        return self
