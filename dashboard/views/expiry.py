"""Of the models qualifying today, how many lose their certificate within 6, 12 and 24 months."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, widgets
from store import queries

HORIZONS = (6, 12, 24)

path, version = widgets.database()
st.title("Certificate expiry")
st.caption("Models qualifying on the chosen day whose certificate ends (TCO Certified expiry, EPEAT archival) within "
           "6, 12 and 24 months. A model with several certificates keeps qualifying until its last one ends.")
options = widgets.read(data.choices, path, version)
with st.sidebar:
    today = widgets.day("Qualifying on", "valid_on", date.today())
    category = widgets.choice("Category", [widgets.ALL, *options["category"]], "category")
    market = widgets.market(options)
    levels = widgets.levels()
widgets.sources(path, version, show=False)

found = widgets.read(data.qualifying, path, version, today, queries.Filters(
    category=None if category == widgets.ALL else category, market=market, **levels))
if found.empty:
    st.warning("No model qualifies on this day for these filters (0 models).")
    st.stop()

found["model id"] = widgets.model_ids(found)
ends = found.groupby(["label", "category", "model id"], dropna=False)["valid_until"].agg(
    lambda days: None if days.isna().any() else days.max()).reset_index()
ends["valid_until"] = pd.to_datetime(ends["valid_until"])
start = pd.Timestamp(today)
table = ends.groupby(["label", "category"]).agg(qualifying=("model id", "size")).reset_index()
for months in HORIZONS:
    limit = start + pd.DateOffset(months=months)
    lost = ends[ends["valid_until"] < limit].groupby(["label", "category"]).size()
    table[f"lose within {months} months"] = table.set_index(["label", "category"]).index.map(lost).fillna(0).astype(int)
open_ended = ends[ends["valid_until"].isna()].groupby(["label", "category"]).size()
table["no end date"] = table.set_index(["label", "category"]).index.map(open_ended).fillna(0).astype(int)
for column, (label, rows) in zip(st.columns(table["label"].nunique()), table.groupby("label")):
    column.metric(f"{label} qualifying", int(rows["qualifying"].sum()))
    column.metric(f"{label} lose within 12 months", int(rows["lose within 12 months"].sum()))
st.dataframe(table, hide_index=True, width="stretch")
widgets.csv_download(table, f"labelwatch-expiry-{today:%Y%m%d}.csv")
st.caption("'no end date': EPEAT registrations stay valid until archived and the export gives no archival date "
           "in advance.")
