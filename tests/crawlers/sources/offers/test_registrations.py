"""Registry records a shop page names: links to a registration's public page (EPREL's label QR
code) in the page, in HTML fragments inside its structured data or a Shopify feed, and
schema.org Certification nodes; the addresses come from the sources' declarations."""

import json

import pytest
from conftest import response_from

from crawlers.sources.offers.registrations import from_fragment, from_structured_data, from_url
from crawlers.sources.offers.schemaorg import read_page
from crawlers.sources.offers.shops import Shop
from crawlers.sources.offers.spider import OffersSpider

PAGE = "https://shop.example/p/phone"


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://eprel.ec.europa.eu/qr/2238053", "eprel:2238053"),
        ("http://EPREL.ec.europa.eu/qr/2238053/", "eprel:2238053"),
        (
            "https://eprel.ec.europa.eu/screen/product/smartphonestablets20231669/2259410?navigatingfrom=qr",
            "eprel:2259410",
        ),
        ("https://eprel.ec.europa.eu/screen/product/electronicdisplays/9000002#label", "eprel:9000002"),
        ("https://eprel.ec.europa.eu/labels/smartphonestablets20231669/Label_2259410.svg", None),  # the label image
        ("https://eprel.ec.europa.eu/screen/product/a/b/2259410", None),
        ("https://eprel.example.com/qr/2238053", None),
        ("/qr/2238053", None),
    ],
)
def test_a_registration_page_address_names_its_record(url, ref):
    assert from_url(url) == ref


def test_html_fragments_are_parsed_not_searched():
    fragment = (
        '<p>EU energy label: <a href="https://eprel.ec.europa.eu/qr/2238053"><img src="l.png"></a>, sheet at '
        "https://eprel.ec.europa.eu/qr/2259410.</p>"
        '<img src="https://eprel.ec.europa.eu/qr/2384172">'
        "<!-- https://eprel.ec.europa.eu/qr/1111111 -->"  # a comment is not a link a buyer sees
        '<p data-x="https://eprel.ec.europa.eu/qr/2222222">no link</p>'
    )
    assert from_fragment(fragment) == {"eprel:2238053", "eprel:2259410", "eprel:2384172"}


def test_structured_data_names_records_by_links_and_certification_nodes():
    product = {
        "@type": "Product",
        "name": "Phone",
        "description": '<a href="https://eprel.ec.europa.eu/qr/2238053">EPREL</a>',
        "subjectOf": {"@type": "WebPage", "url": "https://eprel.ec.europa.eu/qr/2259410"},
        "hasCertification": [
            {"@type": "Certification", "issuedBy": {"name": "EPREL"}, "certificationIdentification": "2384172"},
            {"@type": "Certification", "issuedBy": {"name": "Some lab"}, "certificationIdentification": "9"},
        ],
    }
    assert from_structured_data(product) == {"eprel:2238053", "eprel:2259410", "eprel:2384172"}


def test_an_offer_carries_the_registrations_its_page_links():
    ld = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Phone",
        "offers": {"price": 1, "priceCurrency": "EUR"},
    }
    body = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
        '<body><a href="https://eprel.ec.europa.eu/screen/product/smartphonestablets20231669/2238053">label</a></body></html>'
    )
    (offer,) = read_page(body, PAGE).offers
    assert offer["registrations"] == ["eprel:2238053"]
    (plain,) = read_page(body.replace("eprel.ec.europa.eu", "example.com"), PAGE).offers
    assert plain["registrations"] == []


def test_a_shopify_description_links_the_label(make_spider):
    feed = {
        "products": [
            {
                "title": "Refurbished phone",
                "handle": "phone",
                "vendor": "HMD",
                "body_html": '<p>Energy label <a href="https://eprel.ec.europa.eu/qr/2238053">(EPREL)</a></p>',
                "variants": [{"id": 1, "title": "Default Title", "price": "139.00", "available": True}],
            }
        ]
    }
    spider = make_spider(OffersSpider)
    response = response_from(json.dumps(feed), "https://shop.example/products.json?limit=250&page=1")
    shop = Shop(key="s", name="S", country="BE", kind="refurbisher", currency="EUR")
    (offer,) = spider.shopify_offers(shop, feed["products"][0], response)
    assert offer["registrations"] == ["eprel:2238053"]
