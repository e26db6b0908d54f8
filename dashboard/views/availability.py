"""Devices per label per category, from the latest good run of each source."""

from datetime import date

import altair as alt
import streamlit as st

from dashboard import data, widgets
from store import queries

path, version = widgets.database()

st.title("Market availability")
st.caption("Models valid on the chosen day, per label, level and category, from the latest good crawl of each source.")

options = widgets.read(data.choices, path, version)
with st.sidebar:
    valid_on = widgets.day("Certificates valid on", "valid_on", date.today())
    category = widgets.choice("Category", [widgets.ALL, *options["category"]], "category")
    label = widgets.choice("Label", [widgets.ALL, *options["label"]], "label")
    market = widgets.market(options)
    by_market = market is None and st.checkbox(
        "Also one row per country",
        key="by_market",
        bind="query-params",
        help="Registrations per country counted country by country, beside the any-market rows.",
    )
    levels = widgets.levels(options)
filters = queries.Filters(
    category=None if category == widgets.ALL else category,
    label=None if label == widgets.ALL else label,
    market=market,
    **levels,
)

st.subheader("Sources")
widgets.sources(path, version)

table = widgets.read(data.availability, path, version, valid_on, filters, by_market)
st.subheader(f"Valid on {valid_on:%Y-%m-%d}")
if table.empty:
    st.warning("No certificate in the loaded data is valid on this day for these filters (0 models).")
    st.stop()
widgets.headline(widgets.read(data.label_totals, path, version, valid_on, filters))

table["label and level"] = table["label"] + " " + table["level"].fillna("")
order = list(dict.fromkeys(table["label and level"]))  # the query's order: levels numeric
# One bar per label, level and category: "any market" rows, or the chosen market's rows and
# the global ones; never a country row stacked on its own "any market" row.
charted = table[table["market"].isna()] if filters.market is None else table
matrix = charted.pivot_table(
    index="label and level", columns="category", values=["models", "brands"], aggfunc="sum"
).reindex(order)
matrix.columns = [f"{category} {measure}" for measure, category in matrix.columns]
matrix = matrix[sorted(matrix.columns, key=lambda name: (name.rsplit(" ", 1)[0], name.endswith("brands")))]
st.markdown("**Label × category**: models and brands (with a market chosen: its registrations and global certificates)")
st.dataframe(matrix.astype("Int64").astype("string").fillna("–"), width="stretch")  # –: no model of that label there

chart = (
    alt.Chart(charted)
    .mark_bar()
    .encode(
        x=alt.X("category:N", title="category"),
        xOffset=alt.XOffset("label and level:N", sort=order),
        y=alt.Y("models:Q", title="models"),
        color=alt.Color("label and level:N", sort=order),
        tooltip=["source", "label", "level", "category", "models", "brands", "certificates"],
    )
)
st.altair_chart(chart, width="stretch")
shown = table.drop(columns=["label and level"])
shown["market"] = shown["market"].fillna(widgets.ANY_MARKET)
st.dataframe(shown, hide_index=True, width="stretch")
widgets.csv_download(shown, f"labelwatch-availability-{valid_on:%Y%m%d}.csv")
st.caption(
    "models = distinct brand and model name; brands = distinct known brands. A minimum level applies to its "
    "label's records only, a flag to its source's records only. " + widgets.source_notes()
)
