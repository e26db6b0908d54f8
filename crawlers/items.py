"""The item models, one per kind of record, validated once at the pipeline boundary: a
certification record (label registries) and an offer (shops)."""

import math
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal

import pycountry
from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField

from crawlers.gtin import to_gtin14
from crawlers.measures import MEASURES
from crawlers.vocabulary import CANONICAL_CATEGORIES, collapse, model_key, normalise_brand, without_brand

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
    level_rank: int | None = None  # the level's rank on the label's scale (crawlers.sources.declaration)
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
    flags: list[str] = []  # names of the source's declared flags the record carries
    unknown_flags: list[str] = []  # declared flags the record cannot state (e.g. an export without the column)
    score_points: int | None = None
    score_max: int | None = None
    registered_on: date | None = None
    archived_on: date | None = None
    exceptions: str | None = None
    registry_id: str | None = None
    part_numbers: list[str] = []
    measures: dict[str, float] = {}  # declared measure (crawlers.measures) → value in its unit

    @field_validator("measures")
    @classmethod
    def _declared(cls, values: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(values) - set(MEASURES))
        if unknown:
            raise ValueError(f"undeclared measures {unknown} (crawlers/measures.py)")
        infinite = sorted(name for name, value in values.items() if not math.isfinite(value))
        if infinite:
            raise ValueError(f"not a finite number: {infinite}")
        return dict(sorted(values.items()))

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

    @field_validator("part_numbers", "flags", "unknown_flags")
    @classmethod
    def _sorted(cls, values: list[str]) -> list[str]:
        return sorted(set(values)) if len(values) > 1 else values

    @model_validator(mode="after")
    def _derive(self) -> "Certification":
        self.brand_normalised = normalise_brand(self.brand)
        self.model_key = model_key(self.model)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(f"valid_until {self.valid_until} is before valid_from {self.valid_from}")
        return self


Availability = Literal[
    "in_stock",
    "out_of_stock",
    "pre_order",
    "pre_sale",
    "back_order",
    "sold_out",
    "discontinued",
    "limited_availability",
    "in_store_only",
    "online_only",
    "made_to_order",
    "reserved",
]
Condition = Literal["new", "refurbished", "used", "damaged"]


class Offer(BaseModel):
    """One offer of a device in a shop, as its product page's structured data states it.

    `record_key` is shop, page and condition (and seller where a page lists several). `model`
    is the product name as the shop writes it; `model_key` is that name without the brand
    repeated in front, the key offers are matched to label records on (store.queries.offers).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str
    run_id: int
    record_key: str
    shop: str
    shop_country: str | None  # ISO 3166-1 alpha-2
    shop_kind: Literal["manufacturer", "reseller", "refurbisher"] | None
    name: str
    brand: str | None
    brand_normalised: str | None = None
    model: str = ""
    model_key: str = ""
    category: Category
    gtin: str | None
    mpn: str | None
    sku: str | None
    price: Decimal = PydanticField(ge=0, max_digits=12, decimal_places=2)
    price_high: Decimal | None = PydanticField(default=None, ge=0, max_digits=12, decimal_places=2)
    currency: str = PydanticField(pattern=r"^[A-Z]{3}$")
    vat_included: bool | None = None  # whether the price includes VAT: the shop's setting (shops.toml)
    availability: Availability | None
    condition: Condition | None
    url: str = PydanticField(pattern=r"^https?://")
    seller: str | None
    syntax: Literal["json-ld", "microdata", "rdfa", "shopify"]
    registrations: list[str] = []  # registry records the page links: "<source>:<registration>"

    @field_validator("registrations")
    @classmethod
    def _sorted(cls, values: list[str]) -> list[str]:
        return sorted(set(values))

    @field_validator("name", "brand", "seller", "mpn", "sku")
    @classmethod
    def _collapse(cls, value: str | None) -> str | None:
        return collapse(value) if value is not None else None

    @field_validator("name", "record_key", "shop", "source")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("gtin")
    @classmethod
    def _gtin14(cls, value: str | None) -> str | None:
        if value is not None and _invalid_gtins((value,)):
            raise ValueError("not a GTIN-14 with a valid check digit")
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if pycountry.currencies.get(alpha_3=value) is None:
            raise ValueError(f"{value!r} is not an ISO 4217 currency")
        return value

    @model_validator(mode="after")
    def _derive(self) -> "Offer":
        self.brand_normalised = normalise_brand(self.brand)
        self.model = self.name
        self.model_key = without_brand(model_key(self.name), self.brand_normalised, self.brand)
        if self.price_high is not None and self.price_high < self.price:
            raise ValueError(f"price_high {self.price_high} is below price {self.price}")
        return self
