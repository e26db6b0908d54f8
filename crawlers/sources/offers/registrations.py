"""Which registry records a shop page names: links to a registry's public page of one
registration (EPREL's label QR code, `…/qr/<number>`), wherever the page carries them (its
anchors, URLs and HTML fragments inside its structured data such as a description or
Shopify's `body_html`), and schema.org Certification nodes issued by a registry. The
addresses come from the sources' declarations (Source.registration_pages); a reference is
"<source>:<registration>", what the offers match label records by (store.queries.offers)."""

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup

from crawlers.sources import all_sources

_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]+")


@cache
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(source, pattern over scheme-less addresses) for every declared registration page."""
    found = []
    for source in all_sources().values():
        for page in source.registration_pages:
            address = re.escape(page.split("://", 1)[-1])
            address = address.replace(re.escape("{registration}"), r"(?P<registration>[0-9A-Za-z-]+)")
            found.append((source.name, re.compile(address.replace(re.escape("{any}"), r"[^/?#]+") + r"/?$")))
    return tuple(found)


def from_url(url: str) -> str | None:
    """The "<source>:<registration>" a URL opens, or None. Scheme, query and fragment do not matter."""
    parts = urlsplit(url.strip())
    address = f"{parts.netloc.lower()}{parts.path}" if parts.netloc else ""
    for source, pattern in _patterns():
        found = pattern.match(address)
        if found:
            return f"{source}:{found['registration']}"
    return None


@cache
def _hosts() -> tuple[str, ...]:
    return tuple({urlsplit(page).netloc.lower() for s in all_sources().values() for page in s.registration_pages})


def from_page(body: str) -> set[str]:
    """References in a whole page's links (`a href`, `img src`, `iframe src`): the page only
    parsed when it names a registry's host."""
    lowered = body.lower()
    if not any(host in lowered for host in _hosts()):
        return set()
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return set()
    return {ref for ref in map(from_url, tree.xpath("//a/@href | //img/@src | //iframe/@src")) if ref}


def from_fragment(markup: str) -> set[str]:
    """References in an HTML fragment: its links' and images' addresses, and URLs in its text."""
    soup = BeautifulSoup(markup, "html.parser")
    urls = [str(tag.get(attribute)) for attribute in ("href", "src") for tag in soup.find_all(attrs={attribute: True})]
    urls += [url.rstrip(".,;:!?)") for url in _URL_IN_TEXT.findall(soup.get_text(" "))]
    return {ref for ref in map(from_url, urls) if ref}


def _issuer(node: dict) -> str:
    issuer = node.get("issuedBy") or node.get("certificationBody") or {}
    return str(issuer.get("name", "") if isinstance(issuer, dict) else issuer)


def from_structured_data(data: Any) -> set[str]:
    """References in a Product node, however deep: strings that are registration URLs or HTML
    fragments holding some, and Certification nodes whose issuer or name is a source's title
    (their `certificationIdentification`)."""
    titles = {source.title.lower(): source.name for source in all_sources().values()}
    refs: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            kinds = value.get("@type", [])
            if "Certification" in (kinds if isinstance(kinds, list) else [kinds]):
                named = {_issuer(value).strip().lower(), str(value.get("name", "")).strip().lower()}
                number = str(value.get("certificationIdentification", "")).strip()
                for title, source in titles.items():
                    if number and title in named:
                        refs.add(f"{source}:{number}")
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and ("://" in value or "<" in value):
            ref = from_url(value)
            if ref:
                refs.add(ref)
            elif "<" in value or " " in value:  # markup, or text with a URL in it
                refs.update(from_fragment(value))

    walk(data)
    return refs
