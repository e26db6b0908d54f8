"""Crawl runs per source: status, counts, failure reasons, and how old each source's data is."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import data, widgets

path, version = widgets.database()
st.title("Crawls")
if version is None:
    st.info("Not crawled yet: no database at this path.")
    st.stop()

st.subheader("Freshness")
states = widgets.read(data.source_states, path, version)
now = datetime.now(UTC)
states["data age (days)"] = states["data as of"].map(lambda when: None if when is None else (now - when).days)
for column, state in zip(st.columns(len(states)), states.to_dict("records"), strict=False):
    column.metric(
        f"{state['source']} data age (days)",
        "none" if pd.isna(state["data age (days)"]) else int(state["data age (days)"]),
    )
st.dataframe(
    states,
    hide_index=True,
    width="stretch",
    column_config={
        "data as of": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "last attempt": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    },
)

st.subheader("Runs")
runs = widgets.read(data.runs, path, version)
with st.sidebar:
    source = widgets.choice("Source", [widgets.ALL, *sorted(runs["source"].unique())], "source")
    status = widgets.choice("Status", [widgets.ALL, *sorted(runs["status"].unique())], "status")
shown = runs[
    ((runs["source"] == source) | (source == widgets.ALL)) & ((runs["status"] == status) | (status == widgets.ALL))
]
st.dataframe(shown, hide_index=True, width="stretch")
widgets.csv_download(shown, "labelwatch-runs.csv")
