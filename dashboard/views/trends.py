"""Models per label and category over the crawl history, and what changed between two runs."""

import altair as alt
import streamlit as st

from dashboard import data, widgets
from store import queries

path, version = widgets.database()
st.title("Trends")
st.caption(
    "Models per label, level and category in each loaded crawl (any market, certificates valid on the crawl's day)."
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    category = widgets.choice("Category", [widgets.ALL, *options["category"]], "category")
    label = widgets.choice("Label", [widgets.ALL, *options["label"]], "label")
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
    st.warning("No loaded run has certificates for these filters (0 models).")
else:
    history["series"] = history["label"] + " " + history["level"].fillna("") + " · " + history["category"]
    st.altair_chart(
        alt.Chart(history)
        .mark_line(point=True)
        .encode(
            x=alt.X("finished_at:T", title="crawl"),
            y=alt.Y("models:Q", title="models"),
            color="series:N",
            tooltip=["run_id", "finished_at", "label", "level", "category", "models", "brands", "certificates"],
        ),
        width="stretch",
    )
    widgets.csv_download(history.drop(columns=["series"]), "labelwatch-trends.csv")

st.subheader("Between two runs")
runs = widgets.read(data.runs, path, version)
loaded = runs[runs["status"] == "loaded"]
source = widgets.choice(
    "Source",
    sorted(loaded["source"].unique()),
    "compare_source",
    default=loaded["source"].mode().min() if len(loaded) else None,
)
ids = loaded.loc[loaded["source"] == source, "id"].astype(int).tolist()  # newest first
if len(ids) < 2:
    st.info(f"Only {len(ids)} loaded run of this source: nothing to compare yet.")
    st.stop()
names = {
    f"run {run_id} ({finished:%Y-%m-%d %H:%M})": run_id
    for run_id, finished in loaded.loc[loaded["source"] == source, ["id", "finished_at"]].itertuples(index=False)
}
before_col, after_col = st.columns(2)
with before_col:
    before = widgets.choice("Before", list(names), "before", default=list(names)[1])
with after_col:
    after = widgets.choice("After", list(names), "after")
found = widgets.read(data.changes, path, version, names[before], names[after])
left, right = st.columns(2)
left.metric("appeared", found["appeared"])
right.metric("disappeared", found["disappeared"])
if len(found["rows"]) < found["appeared"] + found["disappeared"]:
    st.caption(f"The table shows the first {len(found['rows'])} changes; the CSV holds the same.")
changed = found["rows"]
changed["url"] = widgets.links(changed["url"])
widgets.table(changed, column_config={"url": st.column_config.LinkColumn("registry")})
widgets.csv_download(changed, f"labelwatch-{source}-changes-{names[before]}-{names[after]}.csv")
