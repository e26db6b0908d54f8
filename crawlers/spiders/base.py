"""RegistrySpider: what every registry spider shares; ShopSpider: what every shop spider adds.

Standard arguments: `file=PATH` parses a file saved by hand from the registry instead of
crawling (`labelwatch import`), through the same parse routine and load path. Data-quality
problems become crawl stats under `<source>/...` (missing fields, unmapped categories, invalid
GTINs) and warnings naming the record, never a crash; a response that cannot be parsed at all
is an error, which fails the run.
"""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap

from crawlers.gtin import to_gtin14
from crawlers.items import Certification, Offer
from crawlers.schemaorg import parse_price, read_page
from crawlers.shops import Shop, load_shops
from crawlers.vocabulary import canonical_category

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class RegistrySpider(scrapy.Spider):
    label: str  # the label this registry certifies, as buyers name it
    item_model = Certification  # what ValidationPipeline validates each record into
    record_kind = "certification"  # the table the records are loaded into (store.load.KINDS)

    def __init__(self, *args, file: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = Path(file).resolve() if file else None

    async def start(self):
        if self.file is not None:
            yield scrapy.Request(self.file.as_uri(), callback=self.parse_file, dont_filter=True)
        else:
            for request in self.start_live():
                yield request

    def start_live(self):
        raise NotImplementedError

    def parse_file(self, response):
        raise NotImplementedError

    # -- data-quality bookkeeping ---------------------------------------------------------
    def count(self, key: str, value: int = 1) -> None:
        self.crawler.stats.inc_value(f"{self.name}/{key}", value)

    def missing(self, field: str, ref: str) -> None:
        """A record lacks a field the counts need: counted, and named in a warning."""
        self.count(f"missing/{field}")
        self.logger.warning("%s: record %s has no %s", self.name, ref, field)

    def category(self, *tries: tuple[str, str | None]) -> str:
        """Canonical category from the first (categories.toml table, raw value) that maps;
        "other" when none does, counted under category/unmapped/<raw values>."""
        for table, raw in tries:
            canonical = canonical_category(table, raw)
            if canonical is not None:
                return canonical
        self.count(f"category/unmapped/{' / '.join(str(raw) for _, raw in tries)}")
        return "other"

    def gtins(self, values: list[Any], ref: str) -> list[str]:
        """Valid GTIN-14s of the values; each invalid one is counted and named."""
        valid = []
        for value in values:
            gtin = to_gtin14(value)
            if gtin is None:
                self.count("gtin/invalid")
                self.logger.warning("%s: record %s: %r is not a valid GTIN", self.name, ref, value)
            else:
                valid.append(gtin)
        return valid

    @staticmethod
    def iso_date(value: Any) -> Any:
        """The YYYY-MM-DD part of a date or timestamp string; anything else unchanged, for
        the item model to reject with the field's name."""
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            return value.strip()[:10]
        return value

    def load_json(self, response, what: str) -> Any | None:
        """The body as JSON, or None after an error naming the URL and the position."""
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as error:
            snippet = response.body[:80].decode("utf-8", "replace")
            self.logger.error("%s: %s at %s is not JSON (%s); body starts %r", self.name, what, response.url, error, snippet)
            return None

    def request_failed(self, failure):
        """Errback: a request the run cannot do without failed (after retries)."""
        request = failure.request
        response = getattr(failure.value, "response", None)
        why = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.logger.error("%s: %s %s failed: %s", self.name, request.method, request.url, why)



class ShopSpider(RegistrySpider):
    """Offers from supplier shops listed as data (crawlers.shops): product pages found in
    sitemaps or given directly, read through their schema.org structured data
    (crawlers.schemaorg), and Shopify `/products.json` feeds. A page that gives no offer is
    counted under `<name>/rejected/<reason>` and named in a warning; the crawl goes on.
    One request at a time per shop."""

    item_model = Offer
    record_kind = "offer"
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def start_live(self):
        try:
            shops = load_shops(self.settings.get("OFFERS_SHOPS"))
        except ValueError as error:  # ShopConfigError, or OFFERS_SHOPS text that is not JSON
            self.logger.error("%s: shop list unusable: %s", self.name, error)
            return
        for shop in shops:
            meta = {"shop": shop}
            for url in shop.sitemaps:
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.request_failed, meta=meta)
            if shop.products_json:
                yield self.products_json_page(shop, 1)
            for url in shop.start_urls:
                yield scrapy.Request(url, callback=self.parse_product, errback=self.request_failed, meta=meta)

    def parse_sitemap(self, response):
        shop = response.meta["shop"]
        try:
            sitemap = Sitemap(response.body)
        except Exception as error:  # lxml's XMLSyntaxError and friends
            self.logger.error("%s: sitemap %s of shop %s is not XML: %s", self.name, response.url, shop.key, error)
            return
        pages = re.compile(shop.product_pages)
        for entry in sitemap:
            url = entry.get("loc", "").strip()
            if sitemap.type == "sitemapindex":
                yield response.follow(url, callback=self.parse_sitemap, errback=self.request_failed, meta=response.meta)
            elif pages.search(url):
                self.count("pages/listed")
                yield response.follow(url, callback=self.parse_product, errback=self.request_failed, meta=response.meta)

    def parse_product(self, response):
        shop = response.meta["shop"]
        if not isinstance(response, TextResponse):
            self.rejected(["not_html"], response)
            return
        page = read_page(response.text, response.url)
        if not page.offers and response.meta.get("redirect_urls"):
            page.rejected = ["redirected_away"]  # e.g. a sold-out product now redirecting to its category
        self.rejected(page.rejected, response)
        for note in page.notes:
            self.count(f"notes/{note}")
        for offer in page.offers:
            yield self.offer(shop, offer)

    def products_json_page(self, shop: Shop, number: int) -> scrapy.Request:
        url = f"{shop.products_json}?{urlencode({'limit': 250, 'page': number})}"
        return scrapy.Request(url, callback=self.parse_products_json, errback=self.request_failed,
                              meta={"shop": shop, "page": number})

    def parse_products_json(self, response):
        """Shopify's product feed (shape reconstructed, offers.md §4): products with variants;
        prices carry no currency, so the shop's `currency` is used."""
        shop = response.meta["shop"]
        data = self.load_json(response, f"products.json of shop {shop.key}")
        products = data.get("products") if isinstance(data, dict) else None
        if not isinstance(products, list):
            if data is not None:
                self.logger.error("%s: %s has no products list", self.name, response.url)
            return
        for product in products:
            for offer in self.shopify_offers(shop, product, response):
                yield self.offer(shop, offer)
        if products:
            yield self.products_json_page(shop, response.meta["page"] + 1)

    def shopify_offers(self, shop: Shop, product: dict, response) -> list[dict]:
        title, handle = product.get("title"), product.get("handle")
        if not title or not handle:
            self.rejected(["missing_name"], response)
            return []
        url = response.urljoin(f"/products/{handle}")
        if shop.currency is None:
            self.rejected(["missing_currency"], response)
            return []
        offers = []
        for variant in product.get("variants") or []:
            price = parse_price(variant.get("price"))
            if price is None:
                self.rejected(["missing_price" if variant.get("price") in (None, "") else "invalid_price"], response)
                continue
            barcode = variant.get("barcode")
            gtin = to_gtin14(barcode) if barcode else None
            if barcode and gtin is None:
                self.count("notes/invalid_gtin")
            variant_title = variant.get("title")
            name = title if not variant_title or variant_title == "Default Title" else f"{title} {variant_title}"
            offers.append({
                "name": name, "brand": product.get("vendor"), "gtin": gtin, "mpn": None, "sku": variant.get("sku") or None,
                "price": price, "price_high": None, "currency": shop.currency,
                "availability": None if variant.get("available") is None else ("in_stock" if variant["available"] else "out_of_stock"),
                "condition": None, "url": f"{url}?variant={variant['id']}" if variant.get("id") else url,
                "seller": None, "syntax": "shopify",
            })
        return offers

    def offer(self, shop: Shop, fields: dict) -> dict:
        condition = fields["condition"] or shop.condition
        self.count(f"offers/{fields['syntax']}")
        return {
            **fields, "condition": condition, "source": self.name, "run_id": self.run_id,
            "record_key": "|".join([shop.key, fields["url"], condition or "", fields["seller"] or ""]),
            "shop": shop.name, "shop_country": shop.country, "shop_kind": shop.kind, "category": shop.category,
        }

    def rejected(self, reasons: list[str], response) -> None:
        for reason in reasons:
            self.count(f"rejected/{reason}")
            self.logger.warning("%s: %s: offer not recorded: %s", self.name, response.url, reason)

    def parse_file(self, response):
        """A product page saved by hand (`labelwatch import offers PAGE.html`)."""
        response.meta["shop"] = Shop(key="import", name=f"saved page {self.file.name}", country="BE", kind="reseller")
        yield from self.parse_product(response)
