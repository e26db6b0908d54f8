"""Crawl runs per source: status, counts, failure reasons, and how old each source's data is."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import data, names, widgets
from dashboard.i18n import _, ngettext, number
from dashboard.i18n import day as day_text

path, version = widgets.database()
st.title(_("Crawls"))
if version is None:
    st.info(_("Not crawled yet: no database at this path."))
    st.stop()

st.subheader(_("Freshness"))
states = widgets.read(data.source_states, path, version)
today = datetime.now(UTC).date()
st.caption(
    _(
        "The age of each source's data: the day the registry gave it (a replayed recording: the day it was"
        " recorded), not the day it was loaded."
    )
)
for column, state in zip(st.columns(len(states)), states.to_dict("records"), strict=False):
    shown = state["data as of"]
    age = None if shown is None or pd.isna(shown) else (today - shown).days
    column.metric(
        names.source(state["source"]),
        "–" if age is None else ngettext("{n} day old", "{n} days old", age).format(n=number(age)),
    )
    if age is not None:
        column.caption(
            _("data of {day}, loaded {crawled}").format(day=day_text(shown), crawled=day_text(state["crawled"]))
        )
    newest = state["newest record"]
    if newest is not None and not pd.isna(newest):
        column.caption(
            _("newest certificate or registration in the data: {day} ({days} days ago)").format(
                day=day_text(newest), days=number((today - newest).days)
            )
        )
widgets.sources(path, version)

st.subheader(_("Runs"))
runs = widgets.read(data.runs, path, version)
with st.sidebar:
    source = widgets.choice(
        _("Source"),
        [widgets.ALL, *sorted(runs["source"].unique())],
        "source",
        format_func=lambda key: widgets.shown(key) if key == widgets.ALL else names.source(key),
    )
    status = widgets.choice(_("Status"), [widgets.ALL, *sorted(runs["status"].unique())], "status")
shown = runs[
    ((runs["source"] == source) | (source == widgets.ALL)) & ((runs["status"] == status) | (status == widgets.ALL))
]
people = names.for_people(shown)
st.dataframe(
    people,
    hide_index=True,
    width="stretch",
    column_config={
        names.column(c): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        for c in ("started_at", "finished_at")
    },
)
widgets.csv_download(people, "labelwatch-runs.csv")
