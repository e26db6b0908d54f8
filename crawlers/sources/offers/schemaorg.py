"""schema.org Product and Offer from a product page's structured data, normalised.

extruct reads JSON-LD, microdata and RDFa; this module finds the Product nodes (top level, in
`@graph`, with a list-valued `@type`), reads their offers (one Offer, a list, an AggregateOffer
with low and high price) and normalises price, currency, availability, condition and GTIN.
What cannot become an offer is returned as a named reason, for the spider to count.
Confirmed against the real otto.de JSON-LD blocks (README.md in this folder); the
microdata and RDFa forms, lists of offers, AggregateOffer and seller follow schema.org and are
tested on constructed pages only.
"""

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin

import extruct
import lxml.etree
import lxml.html

from crawlers.gtin import to_gtin14
from crawlers.sources.offers import registrations
from crawlers.vocabulary import shared_category

_SCHEMA = re.compile(r"^https?://schema\.org/")
_GTIN_FIELDS = ("gtin14", "gtin13", "gtin12", "gtin8", "gtin")
_CONDITIONS = {
    "newcondition": "new",
    "refurbishedcondition": "refurbished",
    "usedcondition": "used",
    "damagedcondition": "damaged",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
AVAILABILITY = {
    "InStock",
    "OutOfStock",
    "PreOrder",
    "PreSale",
    "BackOrder",
    "SoldOut",
    "Discontinued",
    "LimitedAvailability",
    "InStoreOnly",
    "OnlineOnly",
    "MadeToOrder",
    "Reserved",
}


@dataclass
class Page:
    """What a page gave: offer fields (named as crawlers.items.Offer, without shop and run)
    and the reasons anything on it was rejected or left out."""

    offers: list[dict] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # reasons: the page or an offer was not recorded
    notes: list[str] = field(default_factory=list)  # a field was left out, the offer kept


def _short(name: str) -> str:
    return _SCHEMA.sub("", name)


def _compact_rdfa(nodes: list[dict]) -> list[dict]:
    """extruct's RDFa output (expanded, flattened JSON-LD) as compact nested nodes."""
    by_id = {node.get("@id"): node for node in nodes}
    referenced: set[str] = set()

    def value(item: Any, seen: frozenset) -> Any:
        if isinstance(item, dict) and "@value" in item:
            return item["@value"]
        if isinstance(item, dict) and set(item) == {"@id"}:
            ref = item["@id"]
            if ref in by_id and ref not in seen:
                referenced.add(ref)
                return node(by_id[ref], seen | {ref})
            return _short(ref)
        return item

    def node(raw: dict, seen: frozenset) -> dict:
        out: dict[str, Any] = {}
        for key, values in raw.items():
            if key == "@id":
                continue
            if key == "@type":
                out["@type"] = [_short(t) for t in values]
                continue
            items = [value(v, seen) for v in (values if isinstance(values, list) else [values])]
            out[_short(key)] = items[0] if len(items) == 1 else items
        return out

    compact = [(raw.get("@id"), node(raw, frozenset({raw.get("@id")}))) for raw in nodes]
    return [n for ref, n in compact if ref not in referenced]


def _types(node: dict) -> set[str]:
    kinds = node.get("@type", [])
    return {_short(str(k)) for k in (kinds if isinstance(kinds, list) else [kinds])}


def _walk(data: Any, deep: bool = False):
    """The dict nodes of a value: itself, the items of a list, the nodes of an @graph; `deep`:
    every node nested in it, however deep."""
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, deep)
    elif isinstance(data, dict):
        yield data
        for key, value in data.items():
            if deep or key == "@graph":
                yield from _walk(value, deep)


def _products(data: Any):
    """Product nodes anywhere (top level, @graph, a WebPage's mainEntity, a BuyAction's object
    ...), not inside another Product."""
    if isinstance(data, list):
        for item in data:
            yield from _products(item)
    elif isinstance(data, dict):
        if "Product" in _types(data):
            yield data
        else:
            for value in data.values():
                yield from _products(value)


def _documents(body: str) -> list[tuple[str, str]]:
    """(syntax, document) to extract: each JSON-LD script as a document of its own, so one
    malformed block does not hide the others (extruct stops at the first); the page for
    microdata and RDFa only where it has an itemscope or a typeof attribute (RDFa parsing costs
    ~8 ms a page, most of the time of a page without it)."""
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return []
    documents = [
        ("json-ld", f'<script type="application/ld+json">{script.text or ""}</script>')
        for script in tree.xpath('//script[@type="application/ld+json"]')
    ]
    for syntax, marker in (("microdata", "//*[@itemscope]"), ("rdfa", "//*[@typeof]")):
        if tree.xpath(marker):
            documents.append((syntax, body))
    return documents


def _breadcrumbs(data: Any) -> list[str]:
    """The names of a BreadcrumbList's items anywhere in the data, in their order."""
    names = []
    for node in _walk(data, deep=True):
        if "BreadcrumbList" not in _types(node):
            continue
        items = [i for i in _walk(node.get("itemListElement")) if isinstance(i, dict)]
        items.sort(key=lambda i: int(i["position"]) if str(i.get("position", "")).isdigit() else 0)
        names += [n for n in (_text(i.get("name")) or _text(i.get("item")) for i in items) if n]
    return names


def page_category(product: dict, crumbs: list[str]) -> str | None:
    """The canonical category a page states for a product: its `category` (most specific part
    first: "Electronics > Phones > Smartphones"), else its breadcrumb trail from the last crumb
    back, through the shared vocabulary; None when nothing maps."""
    stated = _text(product.get("category"))
    parts = [p for p in re.split(r"\s*[>/|]\s*", stated)] if stated else []
    return next((c for c in map(shared_category, [*reversed(parts), *reversed(crumbs)]) if c), None)


def structured_data(body: str, url: str) -> tuple[list[tuple[str, dict]], list[str], list[str]]:
    """(syntax, Product node) pairs of a page, the syntaxes with a part that could not be
    parsed, and the page's breadcrumb names."""
    products, broken, crumbs = [], [], []
    documents = _documents(body)
    for syntax, document in documents:
        try:
            found = extruct.extract(document, base_url=url, syntaxes=[syntax], uniform=True).get(syntax, [])
        except Exception:  # extruct raises whatever its parser raises (JSON, lxml, rdflib)
            if syntax not in broken:
                broken.append(syntax)
            continue
        if syntax == "rdfa":
            found = _compact_rdfa(found)
        products += [(syntax, node) for node in _products(found)]
        crumbs += _breadcrumbs(found)
    return products, broken, crumbs


def _first(value: Any) -> Any:
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    return value


def _text(value: Any) -> str | None:
    """A name: a string, or a Brand/Organization node's name; HTML entities decoded."""
    value = _first(value)
    if isinstance(value, dict):
        value = _first(value.get("name"))
    if value is None or isinstance(value, (dict, list)):
        return None
    text = html.unescape(str(value)).strip()
    return text or None


_EXPONENT_OR_HEX = re.compile(r"\d\s*[eE]\s*[-+]?\d|0[xX][0-9a-fA-F]")
_NEGATIVE = re.compile(r"(^|[^\d.,])-\s*\d")  # a minus before the digits ("1.299,-" ends with a dash)
MAX_PRICE = Decimal("9999999999.99")  # what the offer model stores (12 digits, 2 decimals)


def parse_price(value: Any) -> Decimal | None:
    """A price as a number or a string ("619.90", "1.299,00", "1,299.00", "619,90 €"); None when
    it is not a price. A lone separator followed by three digits is read as thousands. A
    negative, an exponent or a hex spelling, and anything above MAX_PRICE, is no price (rather
    than misread: `-5` is not 5.00, `1e-7` not 17.00)."""
    value = _first(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        text = repr(value)
    else:
        if _EXPONENT_OR_HEX.search(str(value)) or _NEGATIVE.search(str(value)):
            return None
        text = re.sub(r"[^\d.,]", "", str(value))
        if not re.search(r"\d", text):
            return None
        if "," in text and "." in text:
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
            text = re.sub(r"[.,]", "", text)
        else:
            text = text.replace(",", ".")
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None
    return price.quantize(Decimal("0.01")) if price.is_finite() and 0 <= price <= MAX_PRICE else None


def _enum(value: Any) -> str | None:
    """The last path segment of a schema.org enumeration value, full URL or short form."""
    value = _text(value)
    return value.rstrip("/").rsplit("/", 1)[-1] if value else None


def availability(value: Any) -> str | None:
    name = _enum(value)
    return _CAMEL.sub("_", name).lower() if name in AVAILABILITY else None


def condition(value: Any) -> str | None:
    """new / refurbished / used / damaged from a schema.org OfferItemCondition, full
    ("https://schema.org/UsedCondition"), short ("UsedCondition") or bare ("Used")."""
    name = _enum(value)
    if not name:
        return None
    return _CONDITIONS.get(name.lower()) or _CONDITIONS.get(name.lower() + "condition")


def _offer_nodes(product: dict) -> list[dict]:
    """A product's Offer nodes; an AggregateOffer with listed offers stands for them."""
    found = []
    for offer in _walk(product.get("offers")):
        nested = offer.get("offers")
        if "AggregateOffer" in _types(offer) and nested:
            found += list(_walk(nested))
        else:
            found.append(offer)
    return found


def _gtin(product: dict, page: Page) -> str | None:
    for name in _GTIN_FIELDS:
        raw = _first(product.get(name))
        if raw not in (None, ""):
            gtin = to_gtin14(raw)
            if gtin is None:
                page.notes.append("invalid_gtin")
            return gtin
    return None


def read_page(body: str, url: str) -> Page:
    """Offers on a product page, each with the registry records the page names (registrations.py).
    Reasons: no_structured_data (no Product node), malformed_<syntax>,
    missing_name, no_offer, missing_price, invalid_price, missing_currency; notes: invalid_gtin,
    unknown_availability, unknown_condition."""
    page = Page()
    products, broken, crumbs = structured_data(body, url)
    page.rejected += [f"malformed_{syntax.replace('-', '')}" for syntax in broken]
    if not products:
        page.rejected.append("no_structured_data")
        return page
    seen = set()
    on_page = registrations.from_page(body)
    for syntax, product in products:
        name = _text(product.get("name"))
        if name is None:
            page.rejected.append("missing_name")
            continue
        offers = _offer_nodes(product)
        if not offers:
            page.rejected.append("no_offer")
            continue
        gtin = _gtin(product, page)
        category = page_category(product, crumbs)
        named = sorted(on_page | registrations.from_structured_data(product))
        for offer in offers:
            spec = _first(offer.get("priceSpecification")) or {}
            raw_price = _first(offer.get("price", offer.get("lowPrice", spec.get("price"))))
            if raw_price in (None, ""):
                page.rejected.append("missing_price")
                continue
            price = parse_price(raw_price)
            if price is None:
                page.rejected.append("invalid_price")
                continue
            currency = _text(offer.get("priceCurrency") or spec.get("priceCurrency"))
            if currency is None:
                page.rejected.append("missing_currency")
                continue
            record = {
                "name": name,
                "brand": _text(product.get("brand") or product.get("manufacturer")),
                "gtin": gtin,
                "mpn": _text(product.get("mpn")),
                "sku": _text(product.get("sku")),
                "price": price,
                "price_high": parse_price(offer.get("highPrice")),
                "currency": currency.upper(),
                "availability": availability(offer.get("availability")),
                "condition": condition(offer.get("itemCondition") or product.get("itemCondition")),
                "url": urljoin(url, _text(offer.get("url")) or url),
                "seller": _text(offer.get("seller")),
                "syntax": syntax,
                "category": category,
                "registrations": named,
            }
            if offer.get("availability") and record["availability"] is None:
                page.notes.append("unknown_availability")
            if (offer.get("itemCondition") or product.get("itemCondition")) and record["condition"] is None:
                page.notes.append("unknown_condition")
            key = (record["url"], record["condition"], record["seller"])
            if key not in seen:  # one page often carries the same product in JSON-LD and microdata
                seen.add(key)
                page.offers.append(record)
    return page
