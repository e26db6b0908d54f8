"""TCO Certified: certified models from the Product Finder feed and the GTIN API.

Routes (README.md in this folder):
- Product Finder feed, `GET TCO_FEED_URL`: one JSON array, one record per model name. Its raw
  key names (brand, name, cert_no, cert_date, cert_expiry_date, generation, category, idkey,
  search) are RECONSTRUCTED from a third-party script, not seen in a raw response: unknown keys
  are ignored, records missing a name, certificate or expiry are counted and skipped, records
  without a brand are kept with the brand unknown. Like the only known client, records whose
  `search` is present and not "1" are skipped (counted). Per run the stats hold the raw record
  count and the distinct categories, generations, `search` values and certificate prefixes,
  because the feed's coverage is unclear (it may be Edge-only or filtered).
- GTIN API (confirmed format), when TCO_API_USER and TCO_API_PASSWORD are set: a token from
  `POST /token`, then `POST /generic/gtin?page=N&product_type=T` for each of TCO_PRODUCT_TYPES,
  one page after another up to meta.totalPages (crawlers.paging: also stopped by a page that
  repeats, and at LABELWATCH_MAX_PAGES). A record is one GTIN; its `name` is the certificate's
  comma-separated model list. The API has no brand: the brand is taken from the feed where the
  same certificate appears there, otherwise left unknown. When replaying, the API route runs
  when the recording holds the token request.

One item per (certificate, model name); the GTINs of a certificate go with each of its names,
because the API does not say which name a GTIN belongs to. "TCO Certified Edge" only where the
record says Edge; the generation is not used to infer Edge.
"""

import json
import os
import re
from collections import defaultdict
from urllib.parse import urlencode

import scrapy

from crawlers.paging import Pager
from crawlers.registry_spider import RegistrySpider
from crawlers.replay import OPTIONAL, SECRET, NotRecorded
from crawlers.sources.tco import FINDER, SOURCE
from crawlers.vocabulary import model_key

_GENERATION = re.compile(r"generation\s+(\d+)", re.IGNORECASE)
_FOR_CATEGORY = re.compile(r"\bfor\s+(.+)$", re.IGNORECASE)
_CERT_PREFIX = re.compile(r"^[A-Z]+")
_NUMBER = re.compile(r"^\d{1,2}$")
# Certificate numbers whose pattern says the generation (README.md: "Units" and the feed capture):
# generation 10 is DE1/AE1 + 8 digits in the feed, D10 + 8 digits in the GTIN API. Generations 8
# and 9 share DE/AE + 8 digits, so a number alone never says 8 or 9.
CERTIFICATE_GENERATIONS = ((re.compile(r"^(?:DE|AE)1\d{8}$"), "10"), (re.compile(r"^D10\d{8}$"), "10"))


def _text(value) -> str | None:
    """A scalar as stripped text; None for missing, empty and non-scalar values."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


CERTIFIED, EDGE = (label.name for label in SOURCE.labels)


def feed_generation(record: dict, certificate: str | None) -> tuple[str | None, str]:
    """A feed record's generation and where it was read: the `generation` key; a version text
    (`standard`, `version`: "TCO Certified, generation 10, for displays", or a bare number);
    `latest_version`, the key one public client of the live feed maps instead; else the
    certificate number's documented pattern (CERTIFICATE_GENERATIONS); else none."""
    for key in ("generation", "standard", "version", "latest_version"):
        text = _text(record.get(key))
        if text is None:
            continue
        found = _GENERATION.search(text)
        if found or _NUMBER.match(text):
            return (found.group(1) if found else text), key
    generation = certificate_generation(certificate)
    return generation, "certificate_number" if generation else "none"


def certificate_generation(certificate: str | None) -> str | None:
    """The generation a certificate number's documented pattern says, or None."""
    return next((g for pattern, g in CERTIFICATE_GENERATIONS if certificate and pattern.match(certificate)), None)


def _label(*texts: str | None) -> str:
    """TCO Certified Edge where a text says Edge, else TCO Certified."""
    return EDGE if any(t and "edge" in t.casefold() for t in texts) else CERTIFIED


class TcoSpider(RegistrySpider):
    name = "tco"

    def __init__(self, *args, api: str = "auto", **kwargs):
        super().__init__(*args, **kwargs)
        if api not in ("auto", "on", "off"):
            raise ValueError(f"tco: api must be auto, on or off, not {api!r}")
        self.api = api
        self.brand_by_certificate: dict[str, str] = {}
        self.pagers: dict[str, Pager] = {}  # per product type: pages asked for one after another
        self.total_pages: dict[str, int | None] = {}

    # -- routes ---------------------------------------------------------------------------
    def start_live(self):
        yield scrapy.Request(
            self.settings["TCO_FEED_URL"],
            headers={"Accept": "application/json"},
            callback=self.parse_feed,
            errback=self.feed_failed,
        )

    def _api_wanted(self) -> bool:
        """`api` on or off as asked; auto: with credentials in the environment, or when
        replaying (the token request is then optional: a recording without it skips the API)."""
        if self.api != "auto":
            return self.api == "on"
        if self.settings.get("LABELWATCH_REPLAY_DIR"):
            return True
        return all(os.environ.get(variable) for variable in SOURCE.environment)

    def _api_url(self, path: str, **query) -> str:
        url = self.settings["TCO_API_URL"].rstrip("/") + path
        return f"{url}?{urlencode(query)}" if query else url

    def api_requests(self):
        if not self._api_wanted():
            return
        credentials = {
            key: os.environ.get(variable, "")
            for key, variable in zip(("username", "password"), SOURCE.environment, strict=True)
        }
        yield scrapy.Request(
            self._api_url("/token"),
            method="POST",
            body=json.dumps(credentials),
            headers={"Content-Type": "application/json"},
            meta={SECRET: True, OPTIONAL: self.api == "auto"},
            callback=self.parse_token,
            errback=self.token_failed,
            dont_filter=True,
        )

    def token_failed(self, failure):
        """A replay whose recording holds no token request has no API answers: the feed alone."""
        if failure.check(NotRecorded):
            self.count("api/not_recorded")
            return
        self.request_failed(failure)

    def feed_failed(self, failure):
        self.request_failed(failure)
        yield from self.api_requests()

    def parse_token(self, response):
        data = self.load_json(response, "GTIN API token answer")
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            self.logger.error("tco: GTIN API token answer from %s has no token", response.url)
            return
        self.token = token
        for product_type in self.settings.getlist("TCO_PRODUCT_TYPES"):
            yield self._page_request(product_type, 1)

    def _page_request(self, product_type: str, page: int):
        return scrapy.Request(
            self._api_url("/generic/gtin", page=page, product_type=product_type),
            method="POST",
            headers={"X-Auth-Token": f"Bearer {self.token}", "Content-Type": "application/json"},
            callback=self.parse_api_page,
            errback=self.page_failed,
            cb_kwargs={"product_type": product_type, "page": page},
            dont_filter=True,
        )

    def page_failed(self, failure):
        """A product type the API refuses on page 1 is a warning (the list of types is not
        documented); any other failed page fails the run, since its records would be missing."""
        response = getattr(failure.value, "response", None)
        product_type, page = failure.request.cb_kwargs["product_type"], failure.request.cb_kwargs["page"]
        if page == 1 and response is not None and response.status in (400, 404, 422):
            self.count(f"api/product_type_rejected/{product_type}")
            self.logger.warning("tco: GTIN API refused product_type %r (HTTP %d)", product_type, response.status)
            return
        self.request_failed(failure)

    # -- parsing --------------------------------------------------------------------------
    def parse_feed(self, response):
        records = self.load_json(response, "Product Finder feed")
        if records is not None and not isinstance(records, list):
            self.logger.error(
                "tco: Product Finder feed at %s is a %s, not a JSON array", response.url, type(records).__name__
            )
        elif records is not None:
            yield from self.feed_items(records, response.url)
        yield from self.api_requests()

    def feed_items(self, records: list, where: str):
        self.count("feed/records", len(records))
        for number, record in enumerate(records, 1):
            if not isinstance(record, dict):
                self.count("feed/not_an_object")
                self.logger.warning("tco: feed record %d in %s is not an object", number, where)
                continue
            item = self.feed_item(record, f"feed record {number}")
            if item is not None:
                yield item

    def feed_item(self, record: dict, ref: str) -> dict | None:
        name, certificate = _text(record.get("name")), _text(record.get("cert_no"))
        brand, category_raw = _text(record.get("brand")), _text(record.get("category"))
        search = _text(record.get("search"))
        generation, read_from = feed_generation(record, certificate)
        idkey = _text(record.get("idkey")) or _text(record.get("id"))
        ref = f"{ref} ({idkey or certificate or name or 'no id'})"
        for key, value in (("category", category_raw), ("generation", generation), ("search", search)):
            self.count(f"feed/{key}/{value}")
        if certificate:
            prefix = _CERT_PREFIX.match(certificate)
            self.count(f"feed/cert_prefix/{prefix.group() if prefix else 'none'}")
        if search not in (None, "1"):
            self.count("feed/skipped_search")
            return None
        self.count(f"feed/level_from/{read_from}")
        expiry = record.get("cert_expiry_date")
        for field, value in (("name", name), ("cert_no", certificate), ("cert_expiry_date", expiry)):
            if not _text(value):
                self.missing(field, ref)
                return None
        if brand is None:
            self.missing("brand", ref)
        else:
            self.brand_by_certificate.setdefault(certificate, brand)
        label = _label(
            category_raw, generation, *(k for k, v in record.items() if _text(v) not in (None, "0", "false"))
        )
        return {
            "source": self.name,
            "run_id": self.run_id,
            "record_key": f"{certificate}/{model_key(name)}",
            "label": label,
            "level": generation,
            "level_rank": self.level_rank(label, generation, ref),
            "brand": brand,
            "model": name,
            "category": self.category(("category", category_raw)),
            "category_raw": category_raw,
            "certificate_id": certificate,
            "valid_from": self.iso_date(record.get("cert_date")),
            "valid_until": self.iso_date(expiry),
            "status": _text(record.get("status")),
            "gtins": [],
            "url": f"{FINDER}?product={idkey}" if idkey else SOURCE.record_link.format(certificate_id=certificate),
        }

    def parse_api_page(self, response, product_type: str, page: int):
        data = self.load_json(response, f"GTIN API page {page} of {product_type}")
        if data is None:
            return
        products = (data.get("data") or {}).get("products") if isinstance(data, dict) else None
        meta = data.get("meta") or {} if isinstance(data, dict) else {}
        if not isinstance(products, list):
            self.logger.error(
                "tco: GTIN API page %d of %s at %s has no data.products list", page, product_type, response.url
            )
            return
        self.count("api/pages")
        yield from self.api_items(products, product_type, f"GTIN API {product_type} page {page}")
        if page == 1:
            total = meta.get("totalPages")
            if products and (not isinstance(total, int) or isinstance(total, bool)):
                self.logger.error("tco: GTIN API %s page 1 has no integer meta.totalPages (%r)", product_type, total)
                return
            self.total_pages[product_type] = total
        pager = self.pagers.setdefault(product_type, Pager(self, f"GTIN API {product_type}"))
        if pager.more(page, products, self.total_pages.get(product_type)):
            yield self._page_request(product_type, page + 1)

    def api_items(self, products: list, product_type: str | None, where: str):
        """Items for GTIN API records: grouped by certificate, one item per model name."""
        self.count("api/records", len(products))
        by_certificate: dict[str, list[dict]] = defaultdict(list)
        for number, product in enumerate(products, 1):
            info = product.get("certificationInfo") if isinstance(product, dict) else None
            certificate = _text(info.get("certificateId")) if isinstance(info, dict) else None
            if certificate is None:
                self.missing("certificateId", f"{where} record {number}")
                continue
            by_certificate[certificate].append(product)
        for certificate, group in by_certificate.items():
            yield from self._certificate_items(certificate, group, product_type, f"{where} certificate {certificate}")

    def _certificate_items(self, certificate: str, group: list[dict], product_type: str | None, ref: str):
        info = group[0]["certificationInfo"]
        standard = _text(info.get("standard"))
        generation = _GENERATION.search(standard or "")
        for_category = _FOR_CATEGORY.search(standard or "")
        category_raw = for_category.group(1) if for_category else product_type
        names = {}
        for product in group:
            for name in (_text(product.get("name")) or "").split(","):
                if name.strip():
                    names.setdefault(model_key(name), name.strip())
        if not names:
            self.missing("name", ref)
            return
        if not _text(info.get("endDate")):
            self.missing("endDate", ref)
            return
        gtins = self.gtins([p.get("gtin") for p in group if p.get("gtin") is not None], ref)
        brand = self.brand_by_certificate.get(certificate)
        if brand is None:
            self.count("api/brand_unknown", len(names))
        label = _label(standard, _text(info.get("program")))
        level = generation.group(1) if generation else certificate_generation(certificate)
        self.count(f"api/level_from/{'standard' if generation else 'certificate_number' if level else 'none'}")
        rank = self.level_rank(label, level, ref)
        for key, name in names.items():
            yield {
                "source": self.name,
                "run_id": self.run_id,
                "record_key": f"{certificate}/{key}",
                "label": label,
                "level": level,
                "level_rank": rank,
                "brand": brand,
                "model": name,
                "category": self.category(("category", category_raw)),
                "category_raw": category_raw,
                "certificate_id": certificate,
                "valid_from": self.iso_date(info.get("startDate")),
                "valid_until": self.iso_date(info.get("endDate")),
                "status": _text(info.get("status")),
                "gtins": gtins,
                "url": _text(info.get("id")) or SOURCE.record_link.format(certificate_id=certificate),
            }

    def parse_file(self, response):
        """A file saved from the registry: the feed's array, a GTIN API page, or joined products."""
        data = self.load_json(response, "saved file")
        if data is None:
            return
        if isinstance(data, dict) and isinstance((data.get("data") or {}).get("products"), list):
            yield from self.api_items(data["data"]["products"], None, f"{self.file.name}")
        elif isinstance(data, list) and data and all(isinstance(r, dict) and "certificationInfo" in r for r in data):
            yield from self.api_items(data, None, f"{self.file.name}")
        elif isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
            yield from self.feed_items(data, self.file.name)
        else:
            self.logger.error(
                "tco: %s is neither a Product Finder feed (JSON array of records) nor a GTIN API answer", self.file
            )
