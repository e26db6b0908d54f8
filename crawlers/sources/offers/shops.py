"""Supplier shops the offers spider reads: data (shops.toml in this folder, or the OFFERS_SHOPS
setting), validated here so a bad entry names the shop and the field before any request."""

import json
import re
import tomllib
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from crawlers.items import Category, Condition
from crawlers.vocabulary import country_code


class Shop(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    name: str
    country: str  # ISO 3166-1 alpha-2 or a country name
    kind: Literal["manufacturer", "reseller", "refurbisher"]
    sitemaps: list[str] = []
    product_pages: str = ".*"  # regex a product page URL of a sitemap matches
    products_json: str | None = None  # Shopify /products.json
    currency: str | None = None  # for products.json, whose prices carry none
    vat: Literal["included", "excluded"] | None = None  # whether its prices include VAT; None: not known
    start_urls: list[str] = []  # product pages read directly
    category: Category = "other"  # canonical category of what the shop sells, when it is one
    condition: Condition | None = None  # for offers that state none (e.g. a refurbisher's)
    confirmed: bool = False  # URLs seen working in a live crawl
    note: str | None = None

    @field_validator("country")
    @classmethod
    def _iso(cls, value: str) -> str:
        code = country_code(value)
        if code is None:
            raise ValueError(f"{value!r} is not a country")
        return code

    @field_validator("product_pages")
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value)
        return value


class ShopConfigError(ValueError):
    """The shop list cannot be used; the message names the shop and field."""


def load_shops(setting) -> list[Shop]:
    """Shops from the OFFERS_SHOPS setting (a list of tables, or its JSON text as given with
    `--set`), else from shops.toml in this folder."""
    if setting:
        entries = json.loads(setting) if isinstance(setting, str) else setting
    else:
        entries = tomllib.loads((files(__package__) / "shops.toml").read_text(encoding="utf-8"))["shop"]
    shops = []
    for number, entry in enumerate(entries, 1):
        try:
            shops.append(Shop.model_validate(entry))
        except ValidationError as error:
            problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise ShopConfigError(f"shop {entry.get('key', number)!r}: {problem}") from None
    keys = [shop.key for shop in shops]
    if len(set(keys)) != len(keys):
        raise ShopConfigError(f"shop keys repeat: {sorted(k for k in set(keys) if keys.count(k) > 1)}")
    return shops
