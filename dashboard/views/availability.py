"""Devices per label per category, from the latest good run of each source."""

from datetime import date

import altair as alt
import streamlit as st

from dashboard import data, names, widgets
from dashboard.i18n import _
from dashboard.i18n import day as day_text
from store import queries

path, version = widgets.database()

st.title(_("Market availability"))
st.caption(
    _("Models valid on the chosen day, per label, level and category, from the latest good crawl of each source.")
)

options = widgets.read(data.choices, path, version)
with st.sidebar:
    valid_on = widgets.day(_("Certificates valid on"), "valid_on", date.today())
    category = widgets.choice(_("Category"), [widgets.ALL, *options["category"]], "category")
    label = widgets.choice(_("Label"), [widgets.ALL, *options["label"]], "label")
    market = widgets.market(options)
    by_market = market is None and st.checkbox(
        _("Also one row per country"),
        key="by_market",
        bind="query-params",
        help=_("Registrations per country counted country by country, beside the any-market rows."),
    )
    levels = widgets.levels(options)
filters = queries.Filters(
    category=None if category == widgets.ALL else category,
    label=None if label == widgets.ALL else label,
    market=market,
    **levels,
)

st.subheader(_("Sources"))
widgets.sources(path, version)

table = widgets.read(data.availability, path, version, valid_on, filters, by_market)
st.subheader(_("Valid on {day}").format(day=day_text(valid_on)))
widgets.no_data(path, version, filters, [label] if label != widgets.ALL else options["label"])
if table.empty:
    st.warning(_("No certificate in the loaded data is valid on this day for these filters (0 models)."))
    st.stop()
widgets.headline(widgets.read(data.label_totals, path, version, valid_on, filters))

any_market = table["market"].isna()
people = names.for_people(table.assign(market=table["market"].fillna(widgets.shown(widgets.ANY_MARKET))))
series = _("label and level")
people[series] = table["label"] + " · " + people[names.column("level")]
order = list(dict.fromkeys(people[series]))  # the query's order: levels numeric
# One bar per label, level and category: "any market" rows, or the chosen market's rows and
# the global ones; never a country row stacked on its own "any market" row.
charted = people[any_market] if filters.market is None else people
models, brands, category_column = names.column("models"), names.column("brands"), names.column("category")
matrix = charted.pivot_table(index=series, columns=category_column, values=[models, brands], aggfunc="sum").reindex(
    order
)
matrix.columns = [f"{name} · {measure}" for measure, name in matrix.columns]
matrix = matrix[sorted(matrix.columns, key=lambda name: (name.rsplit(" · ", 1)[0], name.endswith(brands)))]
st.markdown(
    _(
        "**Label × category**: models and brands (with a market chosen: its registrations and global certificates); "
        "– where the label has no model in that category"
    )
)
st.dataframe(matrix.astype("Int64").astype("string").fillna("–"), width="stretch")

chart = (
    alt.Chart(charted)
    .mark_bar()
    .encode(
        x=alt.X(f"{category_column}:N", title=category_column),
        xOffset=alt.XOffset(f"{series}:N", sort=order),
        y=alt.Y(f"{models}:Q", title=models),
        color=alt.Color(f"{series}:N", sort=order, title=series),
        tooltip=[names.column(c) for c in ("source", "label", "level", "category", "models", "brands", "certificates")],
    )
)
st.altair_chart(chart, width="stretch")
shown = people.drop(columns=[series])
st.dataframe(shown, hide_index=True, width="stretch")
widgets.csv_download(shown, f"labelwatch-availability-{valid_on:%Y%m%d}.csv")
st.caption(
    _(
        "models = distinct brand and model name; brands = distinct known brands. A minimum level applies to its "
        "label's records only, a flag to its source's records only."
    )
    + " "
    + widgets.source_notes()
)
