"""Of the models qualifying today, how many lose their certificate within 6, 12 and 24 months."""

from datetime import date

import streamlit as st

from dashboard import data, widgets
from store import queries

path, version = widgets.database()
st.title("Certificate expiry")
st.caption(
    "Models qualifying on the chosen day whose certificate or registration ends within 6, 12 and 24 months. "
    "A model with several certificates keeps qualifying until its last one ends."
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    today = widgets.day("Qualifying on", "valid_on", date.today())
    category = widgets.choice("Category", [widgets.ALL, *options["category"]], "category")
    market = widgets.market(options)
    levels = widgets.levels(options)
widgets.sources(path, version, show=False)

table = widgets.read(
    data.expiry,
    path,
    version,
    today,
    queries.Filters(category=None if category == widgets.ALL else category, market=market, **levels),
)
if table.empty:
    st.warning("No model qualifies on this day for these filters (0 models).")
    st.stop()

for column, (label, rows) in zip(st.columns(table["label"].nunique()), table.groupby("label"), strict=False):
    column.metric(f"{label} qualifying", int(rows["qualifying"].sum()))
    column.metric(f"{label} lose within 12 months", int(rows["lose within 12 months"].sum()))
st.dataframe(table, hide_index=True, width="stretch")
widgets.csv_download(table, f"labelwatch-expiry-{today:%Y%m%d}.csv")
st.caption("'no end date': the registry gives no end date in advance. " + widgets.source_notes())
