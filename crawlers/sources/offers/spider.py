"""Supplier offers: fair, circular and certified devices for sale, with price and condition.

The shops are data (shops.toml in this folder; a replay bundle brings its own list in the
OFFERS_SHOPS setting). Real format: schema.org JSON-LD as on otto.de (pages saved 2022-05-31;
README.md in this folder). Reconstructed, unverified against a live shop: the
Fairphone shop's microdata, Back Market's pages, Shopify's /products.json and every sitemap URL
in shops.toml. Unknown fields are ignored; pages without a usable offer are counted by reason.
"""

import re
from urllib.parse import urlencode

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap

from crawlers.gtin import to_gtin14
from crawlers.items import Offer
from crawlers.paging import Pager
from crawlers.registry_spider import RegistrySpider
from crawlers.sources.offers import registrations
from crawlers.sources.offers.schemaorg import parse_price, read_page
from crawlers.sources.offers.shops import Shop, load_shops
from crawlers.vocabulary import shared_category


class OffersSpider(RegistrySpider):
    """Offers from supplier shops listed as data (shops.py): product pages found in
    sitemaps or given directly, read through their schema.org structured data
    (schemaorg.py), and Shopify `/products.json` feeds. A page that gives no offer is
    counted under `<name>/rejected/<reason>` and named in a warning; the crawl goes on.
    One request at a time per shop."""

    name = "offers"
    item_model = Offer
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pagers: dict[str, Pager] = {}  # per shop: its products.json pages (crawlers.paging)

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
        return scrapy.Request(
            url, callback=self.parse_products_json, errback=self.request_failed, meta={"shop": shop, "page": number}
        )

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
        page = response.meta["page"]
        pager = self.pagers.setdefault(shop.key, Pager(self, f"products.json of shop {shop.key}"))
        if pager.more(page, products):
            yield self.products_json_page(shop, page + 1)

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
        named = sorted(registrations.from_structured_data(product))  # body_html: the description, an HTML fragment
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
            offers.append(
                {
                    "name": name,
                    "brand": product.get("vendor"),
                    "gtin": gtin,
                    "mpn": None,
                    "sku": variant.get("sku") or None,
                    "price": price,
                    "price_high": None,
                    "currency": shop.currency,
                    "availability": None
                    if variant.get("available") is None
                    else ("in_stock" if variant["available"] else "out_of_stock"),
                    "condition": None,
                    "url": f"{url}?variant={variant['id']}" if variant.get("id") else url,
                    "seller": None,
                    "syntax": "shopify",
                    "category": shared_category(product.get("product_type")),
                    "registrations": named,
                }
            )
        return offers

    def offer(self, shop: Shop, fields: dict) -> dict:
        """An offer record: the page's fields with the shop's; the category the page states
        (crawlers.vocabulary's shared spellings), else the shop's hint ("other" by default)."""
        condition = fields["condition"] or shop.condition
        self.count(f"offers/{fields['syntax']}")
        self.count(f"category_from/{'page' if fields.get('category') else 'shop'}")
        return {
            **fields,
            "condition": condition,
            "source": self.name,
            "run_id": self.run_id,
            "record_key": "|".join([shop.key, fields["url"], condition or "", fields["seller"] or ""]),
            "shop": shop.name,
            "shop_country": shop.country,
            "shop_kind": shop.kind,
            "vat_included": None if shop.vat is None else shop.vat == "included",
            "category": fields.get("category") or shop.category,
        }

    def rejected(self, reasons: list[str], response) -> None:
        for reason in reasons:
            self.count(f"rejected/{reason}")
            self.logger.warning("%s: %s: offer not recorded: %s", self.name, response.url, reason)

    def parse_file(self, response):
        """A product page saved by hand (`labelwatch import offers PAGE.html`)."""
        response.meta["shop"] = Shop(key="import", name=f"saved page {self.file.name}", country="BE", kind="reseller")
        yield from self.parse_product(response)
