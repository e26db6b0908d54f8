"""How the store's machine values read to a person: categories, columns, statuses, availability,
levels. The store, the CLI's JSON/CSV and the URL keep the machine values; pages and the
exports meant for people show these names, in the session's language (dashboard/i18n.py)."""

from datetime import date

import pandas as pd

from crawlers.measures import MEASURES
from crawlers.sources import all_sources, labels
from crawlers.sources.declaration import N_
from dashboard.i18n import _, country, number, titled

CATEGORIES = {
    "notebook": N_("Notebook"),
    "desktop": N_("Desktop PC"),
    "all_in_one": N_("All-in-one PC"),
    "workstation": N_("Workstation"),
    "thin_client": N_("Thin client"),
    "tablet": N_("Tablet"),
    "smartphone": N_("Smartphone"),
    "display": N_("Display (monitor)"),
    "projector": N_("Projector"),
    "headset": N_("Headset"),
    "imaging": N_("Printer, copier or scanner"),
    "server": N_("Server"),
    "data_storage": N_("Data storage"),
    "network_equipment": N_("Network equipment"),
    "television": N_("Television"),
    "other": N_("Other (not mapped)"),
}

COLUMNS = {
    "source": N_("source"),
    "label": N_("label"),
    "level": N_("level"),
    "category": N_("category"),
    "market": N_("market"),
    "models": N_("models"),
    "brands": N_("brands"),
    "models_or_better": N_("models at this level or better"),
    "brands_or_better": N_("brands at this level or better"),
    "certificates": N_("certificates"),
    "measures": N_("what the label record states"),
    "measure": N_("measure"),
    "stated": N_("value stated"),
    "device": N_("device"),
    "brand": N_("brand"),
    "model": N_("model"),
    "valid_from": N_("valid from"),
    "valid_until": N_("valid until"),
    "markets": N_("countries"),
    "url": N_("link"),
    "qualifying": N_("qualifying"),
    "lose within 6 months": N_("lose it within 6 months"),
    "lose within 12 months": N_("lose it within 12 months"),
    "lose within 24 months": N_("lose it within 24 months"),
    "no end date": N_("no end date"),
    "shop": N_("shop"),
    "shop_country": N_("shop country"),
    "shop_kind": N_("kind of shop"),
    "mpn": N_("part number"),
    "seller": N_("seller"),
    "syntax": N_("read from"),
    "new": N_("new"),
    "refurbished": N_("refurbished"),
    "used": N_("used"),
    "name": N_("product name"),
    "gtin": N_("GTIN"),
    "price": N_("price"),
    "price_high": N_("highest price"),
    "price_min": N_("lowest price"),
    "price_median": N_("median price"),
    "price_max": N_("highest price"),
    "currency": N_("currency"),
    "vat_included": N_("VAT included"),
    "availability": N_("availability"),
    "condition": N_("condition"),
    "matched_by": N_("matched by"),
    "label_models": N_("label records' models matched"),
    "suppliers": N_("suppliers"),
    "offers": N_("offers"),
    "run_id": N_("crawl run"),
    "finished_at": N_("crawl finished"),
    "change": N_("change"),
    "status": N_("status"),
    "data as of": N_("data as of"),
    "data_day": N_("date of the data"),
    "band": N_("screen size"),
    "median": N_("median"),
    "lowest": N_("lowest"),
    "highest": N_("highest"),
    "crawled": N_("loaded"),
    "newest record": N_("newest record"),
    "last attempt": N_("last attempt"),
    "last status": N_("last attempt's outcome"),
    "reason": N_("reason"),
    "run": N_("crawl run"),
    "id": N_("run"),
    "origin": N_("origin"),
    "started_at": N_("started"),
    "items": N_("records read"),
    "invalid_items": N_("records rejected"),
    "errors": N_("errors"),
    "close_reason": N_("how it ended"),
    "message": N_("message"),
    "certificate_id": N_("certificate"),
    "source_a": N_("registry"),
    "model_a": N_("model as it lists it"),
    "source_b": N_("other registry"),
    "model_b": N_("model as the other lists it"),
    "score": N_("similarity (0–100)"),
    "member_a": N_("record id"),
    "member_b": N_("other record id"),
}

VALUES = {
    "in_stock": N_("in stock"),
    "limited_availability": N_("limited availability"),
    "out_of_stock": N_("out of stock"),
    "pre_order": N_("pre-order"),
    "discontinued": N_("discontinued"),
    "new": N_("new"),
    "refurbished": N_("refurbished"),
    "used": N_("used"),
    "manufacturer": N_("manufacturer"),
    "reseller": N_("reseller"),
    "refurbisher": N_("refurbisher"),
    "gtin": N_("GTIN"),
    "registration": N_("registry link on the shop page"),
    "model key": N_("same brand and model name"),
    "model number": N_("the registry's model number in the product name"),
    "decision": N_("confirmed by an analyst"),
    "loaded": N_("loaded"),
    "suspect": N_("held back (suspect)"),
    "failed": N_("failed"),
    "killed": N_("killed"),
    "running": N_("running"),
    "current": N_("current"),
    "not crawled yet": N_("not crawled yet"),
    "never loaded": N_("never loaded"),
    "last crawl not loaded": N_("last crawl not loaded"),
    "appeared": N_("appeared"),
    "no label found": N_("no label found"),
    "disappeared": N_("disappeared"),
}


def category(key: str | None) -> str:
    if key is None or pd.isna(key):
        return "–"
    return _(CATEGORIES[key]) if key in CATEGORIES else str(key)


def value(raw) -> str:
    """A machine value (availability, condition, status…) in words; other text as it is."""
    if raw is None or (not isinstance(raw, (list, tuple)) and pd.isna(raw)):
        return "–"
    return _(VALUES[raw]) if isinstance(raw, str) and raw in VALUES else raw


def level(label: str | None, raw: str | None) -> str:
    """A level as the label's scale shows it ("generation 10"); none as a dash."""
    if raw is None or pd.isna(raw):
        return "–"
    found = labels().get(label)
    if found is None or found[1].scale is None:
        return str(raw)
    return _(found[1].scale.shown).format(level=raw)


def label(name: str | None) -> str:
    """A label's name in the session's language where it has one ("EU energy label"); a brand
    such as "TCO Certified" reads the same in every language."""
    if name is None or pd.isna(name):
        return "–"
    return _(name) if name in labels() else str(name)


def source(name: str) -> str:
    found = all_sources().get(name)
    return _(found.title) if found else name


def column(name: str) -> str:
    return _(COLUMNS[name]) if name in COLUMNS else name


def measure(name: str) -> str:
    """A measure (crawlers.measures) as a person calls it."""
    return _(MEASURES[name].title)


def measured(name: str, value: float) -> str:
    """A measure's value with its unit, as the session's locale writes it ("13,5 W"); an IP code
    as written on the product ("IP54")."""
    unit = MEASURES[name].unit
    return f"IP{int(value):02d}" if unit == "IP" else f"{number(value)} {_(unit)}"


def stated_measures(stated: dict | None) -> list[str]:
    """The measures a record states (crawlers.measures: name → value; anything else states none),
    in their declared order."""
    return [name for name in MEASURES if name in stated] if isinstance(stated, dict) else []


def measures(stated: dict | None) -> str:
    """A record's measures in words: "on-mode power: 17 W; …"; "–" when it states none."""
    return "; ".join(titled(measure(name), measured(name, stated[name])) for name in stated_measures(stated)) or "–"


def _dates(values: pd.Series) -> bool:
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, date) for v in present)


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as a person reads it: categories, levels, sources and values in words, columns
    named in the session's language. Machine exports never pass through here."""
    shown = frame.copy()
    if "level" in shown and "label" in shown:
        shown["level"] = [level(lb, lv) for lb, lv in zip(shown["label"], shown["level"], strict=True)]
    for name in shown.columns:
        if name == "label":
            shown[name] = shown[name].map(label)
        elif name == "category":
            shown[name] = shown[name].map(category)
        elif name in ("source", "source_a", "source_b"):
            shown[name] = shown[name].map(source)
        elif name == "measures":
            shown[name] = shown[name].map(measures)
        elif name == "vat_included":
            shown[name] = shown[name].map(lambda vat: "–" if pd.isna(vat) else _("yes") if vat else _("no"))
        elif name in ("market", "shop_country"):
            shown[name] = shown[name].map(lambda place: "–" if pd.isna(place) else country(place))
        elif name in ("availability", "condition", "matched_by", "status", "change", "last status", "shop_kind"):
            shown[name] = shown[name].map(value)
        elif shown[name].dtype == object and _dates(shown[name]):  # days as YYYY-MM-DD, "–" for none
            shown[name] = shown[name].map(lambda day: "–" if day is None or pd.isna(day) else day.isoformat()[:10])
        elif shown[name].dtype == object:  # no literal "None" in a text column
            shown[name] = shown[name].where(shown[name].notna(), "–")
    return shown.rename(columns=column)
