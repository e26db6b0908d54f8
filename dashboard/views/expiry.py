"""Of the models qualifying today, how many lose their certificate within 6, 12 and 24 months."""

from datetime import date

import streamlit as st

from dashboard import data, names, widgets
from dashboard.i18n import _, number
from store import queries

path, version = widgets.database()
st.title(_("Certificate expiry"))
st.caption(
    _(
        "Models qualifying on the chosen day whose certificate or registration ends within 6, 12 and 24 months. "
        "A model with several certificates keeps qualifying until its last one ends."
    )
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    today = widgets.day(_("Qualifying on"), "valid_on", date.today())
    category = widgets.choice(_("Category"), [widgets.ALL, *options["category"]], "category")
    market = widgets.market(options)
    levels = widgets.levels(options)
widgets.sources(path, version, show=False)

filters = queries.Filters(category=None if category == widgets.ALL else category, market=market, **levels)
table = widgets.read(data.expiry, path, version, today, filters)
widgets.no_data(path, version, filters, options["label"])
if table.empty:
    st.warning(_("No model qualifies on this day for these filters (0 models)."))
    st.stop()

for column, (label, rows) in zip(st.columns(table["label"].nunique()), table.groupby("label"), strict=False):
    column.metric(_("{label}: qualifying").format(label=names.label(label)), number(int(rows["qualifying"].sum())))
    column.metric(
        _("{label}: lose it within 12 months").format(label=names.label(label)),
        number(int(rows["lose within 12 months"].sum())),
    )
shown = names.for_people(table)
st.dataframe(shown, hide_index=True, width="stretch")
widgets.csv_download(shown, f"labelwatch-expiry-{today:%Y%m%d}.csv")
st.caption(_("'no end date': the registry gives no end date in advance.") + " " + widgets.source_notes())
