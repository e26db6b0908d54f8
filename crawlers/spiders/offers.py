"""Supplier offers: fair, circular and certified devices for sale, with price and condition.

The shops are data (crawlers/data/shops.toml; a replay bundle brings its own list in the
OFFERS_SHOPS setting). Real format: schema.org JSON-LD as on otto.de (pages saved 2022-05-31,
../shared/registry-samples/offers/). Reconstructed, unverified against a live shop: the
Fairphone shop's microdata, Back Market's pages, Shopify's /products.json and every sitemap URL
in shops.toml. Unknown fields are ignored; pages without a usable offer are counted by reason.
"""

from crawlers.spiders.base import ShopSpider


class OffersSpider(ShopSpider):
    name = "offers"
