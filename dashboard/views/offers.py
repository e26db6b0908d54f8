"""Supplier offers: which certified devices are for sale, from how many suppliers, at what price."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, names, widgets
from dashboard.i18n import _, number
from dashboard.i18n import day as day_text
from store import queries

PRICES = ("price_min", "price_median", "price_max")

path, version = widgets.database()
st.title(_("Supplier offers"))
st.caption(
    _(
        "Offers read from shops' product pages, matched to label records valid on the chosen day: by the registry "
        "link on the page, by GTIN, then by the same brand and model name or a registry's model number in the product "
        "name. An offer matched to a device shows each label the device holds. An offer that matches no label "
        "record is kept as '{none}'."
    ).format(none=_(queries.NO_LABEL))
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    valid_on = widgets.day(_("Certificates valid on"), "valid_on", date.today())
    category = widgets.choice(_("Category"), [widgets.ALL, *options["offer_category"]], "category")
    label = widgets.choice(
        _("Label"),
        [widgets.ALL, *options["label"], queries.NO_LABEL],
        "label",
        format_func=lambda key: _(key) if key == queries.NO_LABEL else widgets.shown(key),
    )
states = widgets.sources(path, version, show=False)
shops = states[states["source"].isin(widgets.offer_sources()) & states["run"].notna()]
if shops.empty:
    st.info(
        _("Offers not crawled yet: run `labelwatch crawl {sources}` (or `make demo`).").format(
            sources=" ".join(widgets.offer_sources())
        )
    )
    st.stop()
for shop_state in shops.to_dict("records"):
    st.caption(
        _("Offers as of run {run}, {day}.").format(run=int(shop_state["run"]), day=day_text(shop_state["data as of"]))
    )

filters = queries.Filters(
    category=None if category == widgets.ALL else category, label=None if label == widgets.ALL else label
)
summary, totals, listed = widgets.read(data.offers, path, version, valid_on, filters, widgets.SHOWN_ROWS)
if listed.empty:
    st.warning(_("No offer in the loaded data for these filters (0 offers)."))
    st.stop()

left, middle, right = st.columns(3)
on_offer = _(
    "Counted only where the shop has it in stock (or in limited availability); other offers stay listed below."
)
left.metric(_("certified models on offer"), number(totals["certified_models"]), help=on_offer)
middle.metric(_("suppliers of certified models"), number(totals["suppliers"]), help=on_offer)
right.metric(_("offers with no label found"), number(totals["unlabelled_offers"]))


def people(frame: pd.DataFrame) -> pd.DataFrame:
    shown = names.for_people(frame)
    label_column = names.column("label")
    if label_column in shown:
        shown[label_column] = shown[label_column].map(lambda value: _(value) if value == queries.NO_LABEL else value)
    return shown


st.subheader(_("Per label and category"))
st.caption(
    _(
        "Prices as the shops state them, with their currency; whether a price includes VAT is the shop's setting "
        "(column 'VAT included' of the list, shown with every column and in the CSV; – where it is not known). The "
        "median is the middle price: half the "
        "offers cost less, half more. Only offers in stock or in limited availability count as on offer."
    )
)
summary_shown = people(widgets.priced(summary, PRICES))
widgets.table(  # widths so that the main columns fit a 1280-pixel screen beside the sidebar
    summary_shown,
    main=["label", "category", "models", "suppliers", "offers", *PRICES],
    key="offer_summary",
    column_config={
        names.column("label"): st.column_config.TextColumn(width=150),
        names.column("category"): st.column_config.TextColumn(width=125),
        names.column("models"): st.column_config.NumberColumn(
            width=65, help=_("distinct offered models: GTIN, else brand and product name")
        ),
        names.column("suppliers"): st.column_config.NumberColumn(width=85, help=_("distinct shops")),
        names.column("offers"): st.column_config.NumberColumn(width=55),
        **{names.column(price): st.column_config.TextColumn(width=95) for price in PRICES},
    },
)
widgets.csv_download(summary_shown, f"labelwatch-offers-summary-{valid_on:%Y%m%d}.csv", _("Download summary CSV"))


def listing(offers: pd.DataFrame) -> pd.DataFrame:
    """The offers as a person reads them (shown and exported)."""
    shown = offers.drop(columns=["record_key"])
    shown["url"] = widgets.links(shown["url"])
    return people(widgets.priced(shown, ("price", "price_high")))


st.subheader(_("Offers"))
widgets.table(
    listing(listed),
    total=totals["rows"],
    main=["label", "level", "shop", "name", "price", "availability", "condition", "url"],
    key="offers",
    column_config={  # widths so that the main columns fit a 1280-pixel screen beside the sidebar
        names.column("label"): st.column_config.TextColumn(width=125),
        names.column("level"): st.column_config.TextColumn(width=85),
        names.column("shop"): st.column_config.TextColumn(width=120),
        names.column("name"): st.column_config.TextColumn(width=150),
        names.column("price"): st.column_config.TextColumn(width=85),
        names.column("availability"): st.column_config.TextColumn(width=95),
        names.column("condition"): st.column_config.TextColumn(width=80),
        names.column("url"): st.column_config.LinkColumn(display_text=_("open"), width=50),
        names.column("measures"): st.column_config.TextColumn(
            width="large",
            help=_("The whole text is in the CSV; the One device page lists a row per measure."),
        ),
    },
)
widgets.csv_download(
    lambda: listing(data.offer_rows(path, version, valid_on, filters)),
    f"labelwatch-offers-{valid_on:%Y%m%d}.csv",
    _("Download offers CSV"),
)
