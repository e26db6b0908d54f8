"""Supplier offers: which certified devices are for sale, from how many suppliers, at what price."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, widgets
from store import queries

path, version = widgets.database()
st.title("Supplier offers")
st.caption(
    "Offers read from shops' product pages, matched to label records valid on the chosen day: by GTIN first, "
    f"then by brand and model name. An offer that matches no label record is kept as '{queries.NO_LABEL}'."
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    valid_on = widgets.day("Certificates valid on", "valid_on", date.today())
    category = widgets.choice("Category", [widgets.ALL, *options["offer_category"]], "category")
    label = widgets.choice("Label", [widgets.ALL, *options["label"], queries.NO_LABEL], "label")
states = widgets.sources(path, version, show=False)
shops = states[states["source"].isin(widgets.offer_sources()) & states["run"].notna()]
if shops.empty:
    st.info(f"Offers not crawled yet: run `labelwatch crawl {' '.join(widgets.offer_sources())}` (or `make demo`).")
    st.stop()
for shop_state in shops.to_dict("records"):
    st.caption(
        f"Offers as of run {int(shop_state['run'])}, {shop_state['data as of']:%Y-%m-%d %H:%M} UTC ({shop_state['status']})."
    )

filters = queries.Filters(
    category=None if category == widgets.ALL else category, label=None if label == widgets.ALL else label
)
summary, totals, listed = widgets.read(data.offers, path, version, valid_on, filters, widgets.SHOWN_ROWS)
if listed.empty:
    st.warning("No offer in the loaded data for these filters (0 offers).")
    st.stop()

left, middle, right = st.columns(3)
on_offer = "Counted only where the shop has it in stock (or in limited availability); other offers stay listed below."
left.metric("certified models on offer", totals["certified_models"], help=on_offer)
middle.metric("suppliers of certified models", totals["suppliers"], help=on_offer)
right.metric(f"offers with {queries.NO_LABEL}", totals["unlabelled_offers"])

st.subheader("Per label and category")
st.dataframe(
    summary,
    hide_index=True,
    width="stretch",
    column_config={
        "models": st.column_config.NumberColumn(help="distinct offered models: GTIN, else brand and product name"),
        "suppliers": st.column_config.NumberColumn(help="distinct shops"),
    },
)
widgets.csv_download(summary, f"labelwatch-offers-summary-{valid_on:%Y%m%d}.csv", "Download summary CSV")


def listing(offers: pd.DataFrame) -> pd.DataFrame:
    """The offers as shown and exported."""
    shown = offers.drop(columns=["record_key"])
    shown["url"] = widgets.links(shown["url"])
    return shown


st.subheader("Offers")
widgets.table(listing(listed), total=totals["rows"], column_config={"url": st.column_config.LinkColumn("offer")})
widgets.csv_download(
    lambda: listing(data.offer_rows(path, version, valid_on, filters)),
    f"labelwatch-offers-{valid_on:%Y%m%d}.csv",
    "Download offers CSV",
)
