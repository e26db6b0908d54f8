"""Devices per label per category, from the latest good run of each source."""

from datetime import date

import altair as alt
import streamlit as st

from dashboard import data
from store import queries
from store.db import DatabaseLocked

path = data.database()
version = data.version(path)

st.title("Market availability")
st.caption("Models valid on the chosen day, per label, level and category, from the latest good crawl of each source.")

try:
    states = data.source_states(str(path), version)
    options = data.choices(str(path), version)
except DatabaseLocked:
    st.warning("The database is busy (a crawl is loading). Reload in a moment.")
    st.stop()

ANY_MARKET = "any market"
markets = [ANY_MARKET, *options["market"]]
with st.sidebar:
    valid_on = st.date_input("Certificates valid on", value=date.today())
    category = st.selectbox("Category", ["all", *options["category"]])
    label = st.selectbox("Label", ["all", *options["label"]])
    market = st.selectbox("Market", markets, index=markets.index("Belgium") if "Belgium" in markets else 0,
                          help="Per-country registrations (EPEAT) in this country; global certificates (TCO) always count.")
    min_tier = st.selectbox("EPEAT minimum tier", ["Bronze", "Silver", "Gold"], help="Bronze < Silver < Gold")
    climate_plus = st.checkbox("EPEAT Climate+ only")
filters = queries.Filters(
    category=None if category == "all" else category, label=None if label == "all" else label,
    market=None if market == ANY_MARKET else market, min_tier=min_tier, climate_plus=climate_plus,
)

st.subheader("Sources")
st.dataframe(states, hide_index=True, width="stretch", column_config={
    "data as of": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    "last attempt": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
})

if states["run"].isna().all():
    st.info("Not crawled yet: no source has a loaded run. Run `labelwatch crawl` (or `make demo`).")
    st.stop()

table = data.availability(str(path), version, valid_on, filters)
st.subheader(f"Valid on {valid_on:%Y-%m-%d}")
if table.empty:
    st.warning("No certificate in the loaded data is valid on this day for these filters (0 models).")
    st.stop()

table["label and level"] = table["label"] + " " + table["level"].fillna("")
order = list(dict.fromkeys(table["label and level"]))  # the query's order: levels numeric
# One bar per label, level and category: "any market" rows, or the chosen market's rows and
# the global ones; never a country row stacked on its own "any market" row.
charted = table[table["market"].isna()] if filters.market is None else table
chart = alt.Chart(charted).mark_bar().encode(
    x=alt.X("category:N", title="category"),
    xOffset=alt.XOffset("label and level:N", sort=order),
    y=alt.Y("models:Q", title="models"),
    color=alt.Color("label and level:N", sort=order),
    tooltip=["source", "label", "level", "category", "models", "brands", "certificates"],
)
st.altair_chart(chart, width="stretch")
shown = table.drop(columns=["label and level"])
shown["market"] = shown["market"].fillna(ANY_MARKET)
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button("Download CSV", shown.to_csv(index=False).encode("utf-8"),
                   file_name=f"labelwatch-availability-{valid_on:%Y%m%d}.csv", mime="text/csv")
st.caption("models = distinct brand and model name; brands = distinct known brands (the TCO GTIN API gives no brand: "
           "its models count, their brand is unknown unless the Product Finder lists the same certificate). "
           "Market: EPEAT registers products per country; 'any market' counts a product registered in several "
           "countries once. TCO certificates are global. Tier and Climate+ filters apply to EPEAT only.")
