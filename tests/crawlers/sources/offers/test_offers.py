"""Supplier offers: schema.org extraction on the real otto.de blocks and on constructed pages
for each structured-data form, every rejection reason, matching to label records, the replay
crawl of the demo shops into DuckDB, and the offers page."""

import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import FIXTURES, ROOT, response_from, run_cli
from scrapy.http import Request, TextResponse

from crawlers.items import Offer
from crawlers.sources.offers.schemaorg import parse_price, read_page
from crawlers.sources.offers.shops import ShopConfigError, load_shops
from crawlers.sources.offers.spider import OffersSpider

OTTO_FAIRPHONE = (
    "https://www.otto.de/p/fairphone-fairphone-4-bundle-mit-recable-usb-c-kabel-plus-charger-"
    "smartphone-6-3-zoll-48-mp-kamera-S0S5O0LN/"
)
PAGE = "https://shop.example/p/1"


def html(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def jsonld(data) -> str:
    return f'<script type="application/ld+json">{data if isinstance(data, str) else json.dumps(data)}</script>'


def product(**fields) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Fairphone 5",
        "brand": "Fairphone",
        "offers": {"@type": "Offer", "price": "699.00", "priceCurrency": "EUR"},
        **fields,
    }


def one(page_html: str) -> dict:
    page = read_page(page_html, PAGE)
    assert len(page.offers) == 1, (page.offers, page.rejected)
    return page.offers[0]


def test_the_real_fairphone_4_offer():
    block = (FIXTURES / "offers" / "otto-de_fairphone-4_2022-05-31_jsonld_Product.json").read_text()
    breadcrumb = (FIXTURES / "offers" / "otto-de_fairphone-4_2022-05-31_jsonld_BreadcrumbList.json").read_text()
    page = read_page(html(jsonld(block) + jsonld(breadcrumb)), OTTO_FAIRPHONE)
    assert page.rejected == [] and page.notes == []
    [offer] = page.offers
    assert offer == {
        "name": "Fairphone Fairphone 4 Bundle mit recable USB-C Kabel + Charger Smartphone (6,3 Zoll, 48 MP Kamera)",
        "brand": "Fairphone",
        "gtin": "04250851617896",
        "mpn": None,
        "sku": "S0S5O0LNSNZ",
        "price": Decimal("619.90"),
        "price_high": None,
        "currency": "EUR",
        "availability": "in_stock",
        "condition": "new",
        "url": OTTO_FAIRPHONE,
        "seller": None,
        "syntax": "json-ld",
        "category": "smartphone",  # from the real BreadcrumbList: alle Smartphones < Smartphones
        "registrations": [],  # the page links no registry record
    }
    item = Offer.model_validate(
        {
            **offer,
            "source": "offers",
            "run_id": 1,
            "record_key": "k",
            "shop": "OTTO",
            "shop_country": "DE",
            "shop_kind": "reseller",
            "category": "smartphone",
        }
    )
    assert (item.brand_normalised, item.model_key) == (
        "Fairphone",
        "4 bundle mit recable usb-c kabel + charger smartphone (6,3 zoll, 48 mp kamera)",
    )


def test_the_real_sony_offer_ignores_its_rating():
    block = (FIXTURES / "offers" / "otto-de_sony-xperia-1-iii_2022-05-31_jsonld_Product.json").read_text()
    offer = one(html(jsonld(block)))
    assert (offer["gtin"], offer["price"], offer["brand"]) == ("07311271700685", Decimal("799.99"), "Sony")
    assert offer["url"] == (
        "https://shop.example/p/sony-xperia-1-iii-5g-256gb-smartphone-16-51-cm-6-5-zoll-256-gb-"
        "speicherplatz-12-mp-kamera-1397609879/"
    )  # relative offer URL, resolved


@pytest.mark.parametrize(
    "value, expected",
    [
        ("619.90", "619.90"),
        ("1.299,00", "1299.00"),
        ("1,299.00", "1299.00"),
        ("619,90", "619.90"),
        (619.9, "619.90"),
        (289, "289.00"),
        ("619,90 €", "619.90"),
        ("1.299", "1299.00"),
        ("EUR 12", "12.00"),
        ("free", None),
        ("", None),
        (None, None),
        (True, None),
        (["49.5"], "49.50"),
        ("1.299,-", "1299.00"),
        ("-5", None),
        ("EUR -5,00", None),
        (-5, None),
        ("1e-7", None),
        ("1E+3", None),
        ("0x10", None),
        (1e308, None),
        (float("inf"), None),
        (float("nan"), None),
        ("1" * 30, None),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_prices_in_every_spelling(value, expected):
    assert parse_price(value) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    "data, field, expected",
    [
        ({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, product()]}, "name", "Fairphone 5"),
        ({"@type": "WebPage", "mainEntity": product()}, "name", "Fairphone 5"),
        (product(**{"@type": ["Product", "IndividualProduct"]}), "name", "Fairphone 5"),
        (product(brand={"@type": "Brand", "name": "Fairphone"}), "brand", "Fairphone"),
        (product(brand=[{"@type": "Organization", "name": "Fairphone B.V."}]), "brand", "Fairphone B.V."),
        (product(name="Laptop &amp; dock &quot;Pro&quot;"), "name", 'Laptop & dock "Pro"'),
        (product(gtin8="96385074"), "gtin", "00000096385074"),
        (product(gtin12="887276903125"), "gtin", "00887276903125"),
        (product(gtin14="04250851617896"), "gtin", "04250851617896"),
        (product(gtin=4250851617896), "gtin", "04250851617896"),
        (product(mpn="FP5-1"), "mpn", "FP5-1"),
        (product(offers={"@type": "Offer", "price": 699, "priceCurrency": "eur"}), "currency", "EUR"),
        (
            product(offers={"@type": "Offer", "price": "1", "priceCurrency": "EUR", "availability": "InStock"}),
            "availability",
            "in_stock",
        ),
        (
            product(
                offers={
                    "@type": "Offer",
                    "price": "1",
                    "priceCurrency": "EUR",
                    "availability": "http://schema.org/PreOrder",
                }
            ),
            "availability",
            "pre_order",
        ),
        (
            product(
                offers={
                    "@type": "Offer",
                    "price": "1",
                    "priceCurrency": "EUR",
                    "availability": "https://schema.org/OutOfStock",
                }
            ),
            "availability",
            "out_of_stock",
        ),
        (
            product(
                offers={
                    "@type": "Offer",
                    "price": "1",
                    "priceCurrency": "EUR",
                    "itemCondition": "https://schema.org/RefurbishedCondition",
                }
            ),
            "condition",
            "refurbished",
        ),
        (
            product(offers={"@type": "Offer", "price": "1", "priceCurrency": "EUR", "itemCondition": "UsedCondition"}),
            "condition",
            "used",
        ),
        (
            product(
                offers={
                    "@type": "Offer",
                    "price": "1",
                    "priceCurrency": "EUR",
                    "seller": {"@type": "Organization", "name": "Partner A"},
                }
            ),
            "seller",
            "Partner A",
        ),
        (
            product(offers={"@type": "Offer", "price": "1", "priceCurrency": "EUR", "url": "/p/1?v=2"}),
            "url",
            "https://shop.example/p/1?v=2",
        ),
        (
            product(
                offers={"@type": "AggregateOffer", "lowPrice": "599", "highPrice": "749.50", "priceCurrency": "EUR"}
            ),
            "price_high",
            Decimal("749.50"),
        ),
        (
            product(offers={"@type": "Offer", "priceSpecification": {"price": "5.5", "priceCurrency": "EUR"}}),
            "price",
            Decimal("5.50"),
        ),
    ],
)
def test_json_ld_forms(data, field, expected):
    assert one(html(jsonld(data)))[field] == expected


def test_a_list_of_offers_and_an_aggregate_offer_listing_them():
    offers = [
        {"@type": "Offer", "price": "699", "priceCurrency": "EUR", "itemCondition": "NewCondition"},
        {"@type": "Offer", "price": "449", "priceCurrency": "EUR", "itemCondition": "RefurbishedCondition"},
    ]
    for data in (
        product(offers=offers),
        product(offers={"@type": "AggregateOffer", "lowPrice": 449, "offers": offers}),
    ):
        page = read_page(html(jsonld(data)), PAGE)
        assert [(o["price"], o["condition"]) for o in page.offers] == [
            (Decimal("699.00"), "new"),
            (Decimal("449.00"), "refurbished"),
        ]


def test_microdata():
    offer = one(
        html(
            body=(
                '<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">HP EliteBook 840 G10</h1>'
                '<div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">HP</span></div>'
                '<meta itemprop="gtin13" content="0197029687159">'
                '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price" content="1.049,00">€</span>'
                '<meta itemprop="priceCurrency" content="EUR"><link itemprop="availability" href="http://schema.org/InStock">'
                '<link itemprop="itemCondition" href="http://schema.org/RefurbishedCondition"></div></div>'
            )
        )
    )
    assert {k: offer[k] for k in ("name", "brand", "gtin", "price", "availability", "condition", "syntax")} == {
        "name": "HP EliteBook 840 G10",
        "brand": "HP",
        "gtin": "00197029687159",
        "price": Decimal("1049.00"),
        "availability": "in_stock",
        "condition": "refurbished",
        "syntax": "microdata",
    }


def test_rdfa():
    offer = one(
        html(
            body=(
                '<div vocab="https://schema.org/" typeof="Product"><span property="name">Dell P2424HT</span>'
                '<div property="brand" typeof="Brand"><span property="name">Dell</span></div><span property="mpn">P2424HT</span>'
                '<div property="offers" typeof="Offer"><span property="price" content="329.00">329 €</span>'
                '<meta property="priceCurrency" content="EUR"><link property="availability" href="https://schema.org/InStock"></div>'
                "</div>"
            )
        )
    )
    assert {k: offer[k] for k in ("name", "brand", "mpn", "price", "availability", "syntax")} == {
        "name": "Dell P2424HT",
        "brand": "Dell",
        "mpn": "P2424HT",
        "price": Decimal("329.00"),
        "availability": "in_stock",
        "syntax": "rdfa",
    }


def test_one_offer_per_page_even_in_two_syntaxes():
    microdata = (
        '<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Fairphone 5</span>'
        '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="699.00">'
        '<meta itemprop="priceCurrency" content="EUR"></div></div>'
    )
    page = read_page(html(jsonld(product()), microdata), PAGE)
    assert len(page.offers) == 1 and page.offers[0]["syntax"] == "json-ld"


@pytest.mark.parametrize(
    "page_html, reasons, notes",
    [
        (html(jsonld('{"@type": "Product", "name": "x", ')), ["malformed_jsonld", "no_structured_data"], []),
        (html(jsonld('{"@type": "Product", ') + jsonld(product())), ["malformed_jsonld"], []),
        (html(jsonld(product(offers={"@type": "Offer", "priceCurrency": "EUR"}))), ["missing_price"], []),
        (
            html(jsonld(product(offers={"@type": "Offer", "price": "ask us", "priceCurrency": "EUR"}))),
            ["invalid_price"],
            [],
        ),
        (html(jsonld(product(offers={"@type": "Offer", "price": "699.00"}))), ["missing_currency"], []),
        (html(jsonld(product(name=None))), ["missing_name"], []),
        (html(jsonld({"@type": "Product", "name": "Fairphone 5"})), ["no_offer"], []),
        (html(body="<h1>Smartphones</h1><a href='/p/1'>Fairphone 5</a>"), ["no_structured_data"], []),
        (html(jsonld({"@type": "BreadcrumbList", "itemListElement": []})), ["no_structured_data"], []),
        (html(jsonld(product(gtin13="4250851617897"))), [], ["invalid_gtin"]),
        (
            html(
                jsonld(
                    product(offers={"@type": "Offer", "price": "1", "priceCurrency": "EUR", "availability": "Maybe"})
                )
            ),
            [],
            ["unknown_availability"],
        ),
    ],
)
def test_each_rejection_reason(page_html, reasons, notes):
    page = read_page(page_html, PAGE)
    assert (page.rejected, page.notes) == (reasons, notes)


def test_the_item_model_guards_what_extraction_gives():
    base = {
        "source": "offers",
        "run_id": 1,
        "record_key": "k",
        "shop": "S",
        "shop_country": "BE",
        "shop_kind": "reseller",
        "name": "Fairphone 5",
        "brand": "Fairphone",
        "category": "smartphone",
        "gtin": None,
        "mpn": None,
        "sku": None,
        "price": Decimal("699.00"),
        "currency": "EUR",
        "availability": None,
        "condition": None,
        "url": "https://shop.example/p/1",
        "seller": None,
        "syntax": "json-ld",
    }
    assert Offer.model_validate(base).model_key == "5"
    for change, field in [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"gtin": "04250851617897"}, "gtin"),
        ({"price": Decimal("-1")}, "price"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"condition": "like new"}, "condition"),
    ]:
        with pytest.raises(ValueError, match=field):
            Offer.model_validate({**base, **change})


def test_a_shop_entry_with_a_bad_field_is_named():
    with pytest.raises(ShopConfigError, match="shop 'x': country: Value error, 'Atlantis' is not a country"):
        load_shops([{"key": "x", "name": "X", "country": "Atlantis", "kind": "reseller"}])
    with pytest.raises(ShopConfigError, match="shop 'y': kind"):
        load_shops([{"key": "y", "name": "Y", "country": "BE", "kind": "pawnshop"}])
    assert [s.key for s in load_shops(None)] == ["fairphone", "shift", "backmarket-be", "otto-de"]  # the shipped list
    with pytest.raises(ShopConfigError, match="shop 'z': vat"):
        load_shops([{"key": "z", "name": "Z", "country": "BE", "kind": "reseller", "vat": "incl"}])
    assert {s.vat for s in load_shops(None)} == {"included"}  # EU consumer shops: prices with VAT


def spider_response(make_spider, body: str, url: str = PAGE, **meta):
    spider = make_spider(OffersSpider)
    [shop] = load_shops(
        [
            {
                "key": "demo",
                "name": "Demo",
                "country": "BE",
                "kind": "refurbisher",
                "condition": "refurbished",
                "products_json": "https://shop.example/products.json",
                "currency": "EUR",
            }
        ]
    )
    response = response_from(body, url, html=True)
    response.request.meta.update({"shop": shop, **meta})
    return spider, response


def test_a_redirect_to_a_category_page_is_rejected_and_counted(make_spider):
    spider, response = spider_response(
        make_spider,
        html(body="<h1>Smartphones</h1>"),
        "https://shop.example/c/phones",
        redirect_urls=["https://shop.example/p/sold-out"],
    )
    assert list(spider.parse_product(response)) == []
    assert spider.crawler.stats.get_value("offers/rejected/redirected_away") == 1


def test_an_offer_item_carries_shop_and_default_condition(make_spider):
    spider, response = spider_response(make_spider, html(jsonld(product())))
    [item] = list(spider.parse_product(response))
    assert {k: item[k] for k in ("shop", "shop_country", "shop_kind", "condition", "record_key", "category")} == {
        "shop": "Demo",
        "shop_country": "BE",
        "shop_kind": "refurbisher",
        "condition": "refurbished",
        "record_key": "demo|https://shop.example/p/1|refurbished|",
        "category": "other",
    }
    Offer.model_validate(item)


def test_a_shopify_feed_pages_until_empty(make_spider):
    """The /products.json shape is reconstructed (offers.md §4): products with variants."""
    feed = {
        "products": [
            {
                "title": "SHIFT6mq",
                "handle": "shift6mq",
                "vendor": "SHIFT",
                "variants": [
                    {
                        "id": 1,
                        "title": "8 GB / 256 GB",
                        "price": "779.00",
                        "sku": "S6MQ-8",
                        "available": True,
                        "barcode": "4260397610013",
                    },
                    {"id": 2, "title": "Default Title", "price": "", "available": False},
                ],
            },
            {"title": "No handle", "variants": []},
        ]
    }
    spider, response = spider_response(
        make_spider, json.dumps(feed), "https://shop.example/products.json?limit=250&page=1", page=1
    )
    out = list(spider.parse_products_json(response))
    [offer], [next_page] = [o for o in out if isinstance(o, dict)], [o for o in out if isinstance(o, Request)]
    assert {k: offer[k] for k in ("name", "brand", "price", "currency", "availability", "url", "syntax", "gtin")} == {
        "name": "SHIFT6mq 8 GB / 256 GB",
        "brand": "SHIFT",
        "price": Decimal("779.00"),
        "currency": "EUR",
        "availability": "in_stock",
        "url": "https://shop.example/products/shift6mq?variant=1",
        "syntax": "shopify",
        "gtin": None,
    }
    assert spider.crawler.stats.get_value("offers/notes/invalid_gtin") == 1
    assert spider.crawler.stats.get_value("offers/rejected/missing_price") == 1
    assert spider.crawler.stats.get_value("offers/rejected/missing_name") == 1
    assert next_page.url == "https://shop.example/products.json?limit=250&page=2"
    spider, empty = spider_response(make_spider, '{"products": []}', next_page.url, page=2)
    assert list(spider.parse_products_json(empty)) == []


def test_a_products_json_that_ignores_the_page_parameter_is_read_once(make_spider):
    """The same products on page 2 as on page 1: paging ends there, not after 19,025 requests."""
    feed = json.dumps({"products": [{"title": "Fairphone 5", "handle": "fp5", "variants": []}]})
    spider, first = spider_response(make_spider, feed, "https://shop.example/products.json?limit=250&page=1", page=1)
    [second] = [o for o in spider.parse_products_json(first) if isinstance(o, Request)]
    again = TextResponse(second.url, body=feed.encode(), request=second, encoding="utf-8")
    assert [o for o in spider.parse_products_json(again) if isinstance(o, Request)] == []
    assert spider.crawler.stats.get_value("offers/paging/repeated_page") == 1


def test_the_replayed_shops_load_with_rejections_counted(newest_db):
    [run] = json.loads(run_cli("runs", "-f", "json", "--source", "offers", "--db", newest_db, check=True).stdout)
    assert (run["status"], run["items"], run["errors"]) == ("loaded", 9, 0)
    import duckdb

    con = duckdb.connect(str(newest_db), read_only=True)
    stats = json.loads(con.execute("SELECT stats FROM crawl_run WHERE id = $id", {"id": run["id"]}).fetchone()[0])
    con.close()
    assert {k: v for k, v in stats.items() if k.startswith("offers/")} == {
        "offers/pages/listed": 10,
        "offers/offers/json-ld": 7,
        "offers/offers/microdata": 1,
        "offers/offers/rdfa": 1,
        "offers/rejected/missing_currency": 1,
        "offers/rejected/no_structured_data": 1,
        "offers/notes/invalid_gtin": 1,
        "offers/category_from/page": 1,  # the real otto.de Fairphone page's breadcrumb
        "offers/category_from/shop": 8,
    }  # every brand of the pages is in the alias table (a missing one is named: offers/brand/unplaced/<brand>)


def test_offers_match_labels_by_registration_then_gtin_then_model_key(newest_db):
    rows = json.loads(run_cli("report", "offers", "--list", "-f", "json", "--db", newest_db, check=True).stdout)
    found = {
        (r["name"].split()[0], r["condition"], r["label"], r["level"], r["matched_by"], r["certificates"]) for r in rows
    }
    assert found == {
        ("Samsung", "refurbished", "TCO Certified", "10", "gtin", "D1024110028"),
        # the page's description links the EPREL label; its name alone matches no record
        ("HMD", "refurbished", "EU energy label", "A", "registration", "2238053"),
        ("HMD", "refurbished", "EU repairability class", "A", "registration", "2238053"),
        # a schema.org Certification issued by EPREL
        ("OPPO", "refurbished", "EU energy label", "B", "registration", "2245892"),
        ("OPPO", "refurbished", "EU repairability class", "B", "registration", "2245892"),
        ("Dell", "refurbished", "TCO Certified", "10", "model key", "DE126060156"),
        # by name it matched an EPEAT Gold registration of 2020, archived in the newest recording
        ("HP", "refurbished", "no label found", None, None, None),
        ("Lenovo", "new", "EPEAT", "Gold", "model key", "38a550c7fc5f4f24b6578e9b0b960503"),
        ("Lenovo", "used", "EPEAT", "Gold", "model key", "38a550c7fc5f4f24b6578e9b0b960503"),
        ("Fairphone", "new", "no label found", None, None, None),  # kept, not dropped
        ("Sony", "new", "no label found", None, None, None),
    }
    assert len(rows) == len(found)


def test_the_offers_page_agrees_with_the_report(monkeypatch, newest_db):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LABELWATCH_DB", str(newest_db))
    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / "offers.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert {m.label: int(m.value) for m in at.metric} == {
        "certified models on offer": 4,  # Samsung, Dell, the HMD and OPPO phones; the Lenovo notebook is on
        # pre-order or out of stock, the HP one has no label
        "suppliers of certified models": 1,
        "offers with no label found": 3,  # Fairphone, Sony, HP
    }
    summary = at.dataframe[0].value
    expected = json.loads(run_cli("report", "offers", "-f", "json", "--db", newest_db, check=True).stdout)
    prices = {"price_min": "lowest price", "price_median": "median price", "price_max": "highest price"}
    for shown, machine in zip(summary.to_dict("records"), expected, strict=True):  # the page in words, euros
        assert shown["label"] == machine["label"] and shown["offers"] == machine["offers"]
        for key, column in prices.items():
            assert shown[column] == f"€{float(machine[key]):,.2f}"
    assert [r["label"] for r in expected] == [
        "EPEAT",
        "EU energy label",
        "EU repairability class",
        "TCO Certified",
        "no label found",
        "no label found",
    ]
    assert (expected[0]["offers"], expected[0]["new"], expected[0]["refurbished"], expected[0]["used"]) == (2, 1, 0, 1)
    assert (expected[3]["price_min"], expected[3]["price_max"]) == ("119.00", "349.00")  # AggregateOffer's highPrice
    offers = at.dataframe[1].value
    assert len(offers) == 11 and set(offers["link"].str[:8]) == {"https://"}
    at.query_params["label"] = "no label found"
    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / "offers.py"), default_timeout=60)
    at.query_params["label"] = "no label found"
    at.run()
    assert set(at.dataframe[1].value["label"]) == {"no label found"} and len(at.dataframe[1].value) == 3


@pytest.mark.parametrize("on", ["offer", "product"])
@pytest.mark.parametrize(
    "written, expected",
    [
        ("Used", "used"),
        ("Refurbished", "refurbished"),
        ("New", "new"),
        ("RefurbishedCondition", "refurbished"),
        ("http://schema.org/UsedCondition", "used"),
    ],
)
def test_item_condition_on_the_offer_or_the_product_in_any_spelling(on, written, expected):
    data = product()
    (data["offers"] if on == "offer" else data)["itemCondition"] = written
    assert one(html(jsonld(data)))["condition"] == expected


def test_a_product_wrapped_in_another_node_is_read():
    inner = {k: v for k, v in product(gtin13="4250851617896").items() if k != "@context"}
    wrapped = {"@context": "https://schema.org", "@type": "BuyAction", "object": inner}
    offer = one(html(jsonld(wrapped)))
    assert (offer["name"], offer["gtin"], offer["price"]) == ("Fairphone 5", "04250851617896", Decimal("699.00"))


def test_the_category_is_what_the_page_says_else_the_shop_hint(make_spider):
    breadcrumb = (FIXTURES / "offers" / "otto-de_fairphone-4_2022-05-31_jsonld_BreadcrumbList.json").read_text()
    pages = {
        "breadcrumb (real otto.de trail: alle Smartphones < Smartphones)": (
            html(jsonld(product()) + jsonld(breadcrumb)),
            "smartphone",
        ),
        "product category path": (html(jsonld(product(category="Computers > Monitore"))), "display"),
        "French category": (html(jsonld(product(category="Ordinateurs portables"))), "notebook"),
        "nothing said": (html(jsonld(product())), "other"),
    }
    for what, (page_html, expected) in pages.items():
        spider, response = spider_response(make_spider, page_html)
        [item] = list(spider.parse_product(response))
        assert item["category"] == expected, what
        Offer.model_validate(item)


def test_a_shopify_product_type_gives_the_category(make_spider):
    feed = {
        "products": [
            {
                "title": "Fairphone 5",
                "handle": "fp5",
                "vendor": "Fairphone",
                "product_type": "Smartphones",
                "variants": [{"id": 1, "price": "699.00", "available": True}],
            }
        ]
    }
    spider, response = spider_response(make_spider, json.dumps(feed), "https://shop.example/products.json", page=1)
    [offer] = [o for o in spider.parse_products_json(response) if isinstance(o, dict)]
    assert offer["category"] == "smartphone"


def test_only_offers_in_stock_count_as_on_offer(newest_db):
    """The demo shops: the Samsung display (GTIN, in stock), the Dell display (name, in stock) and the
    HMD and OPPO phones (EPREL links, in stock) are on offer; the Lenovo notebook's two offers (pre-order, out of stock) are listed but not on
    offer; the HP notebook (limited availability) matches no current label record."""
    import duckdb

    from store import queries

    with duckdb.connect(str(newest_db), read_only=True) as con:
        totals = queries.offer_totals(con, date(2026, 12, 1))
        listed = queries.offers(con, date(2026, 12, 1))
    lenovo = [o for o in listed if o["brand"] == "Lenovo"]
    assert {o["availability"] for o in lenovo} == {"pre_order", "out_of_stock"} and lenovo[0][
        "label"
    ] != "no label found"
    assert totals["certified_models"] == 4 and totals["suppliers"] == 1


def test_an_offer_says_whether_its_price_includes_vat_as_its_shop_is_set(make_spider):
    spider, response = spider_response(make_spider, json.dumps({"products": []}))
    shop = response.meta["shop"]
    fields = {
        "name": "X",
        "brand": None,
        "gtin": None,
        "mpn": None,
        "sku": None,
        "price": Decimal("1.00"),
        "price_high": None,
        "currency": "EUR",
        "availability": None,
        "condition": None,
        "url": PAGE,
        "seller": None,
        "syntax": "json-ld",
    }
    assert spider.offer(shop, fields)["vat_included"] is None  # the shop does not say
    assert spider.offer(shop.model_copy(update={"vat": "included"}), fields)["vat_included"] is True
    assert spider.offer(shop.model_copy(update={"vat": "excluded"}), fields)["vat_included"] is False
