"""Models per label and category over the crawl history, and what changed between two runs."""

import altair as alt
import streamlit as st

from crawlers.sources import all_sources, labels
from dashboard import data, names, widgets
from dashboard.i18n import _, ngettext, number
from dashboard.i18n import day as day_text
from store import queries

MAX_LINES = 8  # lines drawn at first; the reader can pick others

path, version = widgets.database()
st.title(_("Trends"))
st.caption(
    _(
        "Models per label, level and category in each loaded crawl (any market, certificates valid on the day "
        "of the crawl's data)."
    )
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    category = widgets.choice(_("Category"), [widgets.ALL, *options["category"]], "category")
    label = widgets.choice(_("Label"), [widgets.ALL, *options["label"]], "label")
widgets.sources(path, version, show=False)

history = widgets.read(
    data.trends,
    path,
    version,
    queries.Filters(
        category=None if category == widgets.ALL else category, label=None if label == widgets.ALL else label
    ),
)
if history.empty:
    st.warning(_("No loaded run has certificates for these filters (0 models)."))
else:
    people = names.for_people(history)
    series = _("series")
    people[series] = (
        people[names.column("label")] + " · " + people[names.column("level")] + " · " + people[names.column("category")]
    )

    def rank(row) -> tuple:
        """Series in the legend by label, then level on the label's scale (Bronze < Silver < Gold), then category."""
        found = labels().get(row["label"])
        scale = found[1].scale if found else None
        return row["label"], (scale.rank(row["level"]) or 0) if scale else 0, row["category"]

    order = list(dict.fromkeys(people.loc[sorted(history.index, key=lambda i: rank(history.loc[i])), series]))
    latest = people.loc[history.sort_values("run_id").index].drop_duplicates(
        series, keep="last"
    )  # each line's last point
    biggest = latest.sort_values(names.column("models"), ascending=False)[series].tolist()
    picked = st.multiselect(
        _("Lines"),
        order,
        default=order if len(order) <= MAX_LINES else [s for s in order if s in biggest[:MAX_LINES]],
        help=_("One line per label, level and category; at first the largest ones, the CSV holds all."),
    )
    st.altair_chart(
        alt.Chart(people[people[series].isin(picked)])
        .mark_line(point=True)
        .properties(height=360)  # the plot's own height: the legend below takes its room besides
        .encode(
            x=alt.X(f"{names.column('data_day')}:T", title=names.column("data_day"), axis=alt.Axis(format="%Y-%m-%d")),
            y=alt.Y(f"{names.column('models')}:Q", title=names.column("models")),
            color=alt.Color(
                f"{series}:N",
                sort=[s for s in order if s in picked],
                title=series,
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=480),  # whole names, below the chart
            ),
            tooltip=[
                names.column(c)
                for c in ("run_id", "data_day", "label", "level", "category", "models", "brands", "certificates")
            ],
        ),
        width="stretch",
    )
    widgets.csv_download(people.drop(columns=[series]), "labelwatch-trends.csv")

st.subheader(_("Between two runs"))
runs = widgets.read(data.runs, path, version)
loaded = runs[runs["status"] == "loaded"]
source = widgets.choice(
    _("Source"),
    sorted(loaded["source"].unique()),
    "compare_source",
    default=loaded["source"].mode().min() if len(loaded) else None,
    format_func=names.source,
)
ids = loaded.loc[loaded["source"] == source, "id"].astype(int).tolist()  # newest first
if len(ids) < 2:
    st.info(
        ngettext(
            "Only {n} loaded run of this source: nothing to compare yet.",
            "Only {n} loaded runs of this source: nothing to compare yet.",
            len(ids),
        ).format(n=len(ids))
    )
    st.stop()
runs_of_source = loaded.loc[loaded["source"] == source, ["id", "data_day"]].itertuples(index=False)
finished = {int(run_id): when for run_id, when in runs_of_source}


def run_name(run_id: int) -> str:
    return _("run {run} ({day})").format(run=run_id, day=day_text(finished[run_id]))


before_col, after_col = st.columns(2)
with before_col:
    before = widgets.choice(_("Before"), ids, "before", default=ids[1], format_func=run_name)
with after_col:
    after = widgets.choice(_("After"), ids, "after", format_func=run_name)
found = widgets.read(data.changes, path, version, before, after)
left, right = st.columns(2)
left.metric(_("appeared"), number(found["appeared"]))
right.metric(_("disappeared"), number(found["disappeared"]))
if len(found["rows"]) < found["appeared"] + found["disappeared"]:
    st.caption(_("The table shows the first {n} changes; the CSV holds the same.").format(n=number(len(found["rows"]))))
changed = found["rows"]
changed["url"] = widgets.links(changed["url"])
people = names.for_people(changed)
widgets.table(people, column_config={names.column("url"): widgets.record_links([all_sources().get(source)])})
widgets.csv_download(people, f"labelwatch-{source}-changes-{before}-{after}.csv")
