"""Pre-tender check: how many models and brands would meet a criterion until the contract ends."""

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import data, widgets
from dashboard.export import tender_workbook
from store import queries

ANY_OF = "any of the chosen labels"
EACH = "each label on its own"
UNKNOWN_BRAND = "(brand unknown)"

path, version = widgets.database()
st.title("Pre-tender check")
st.caption(
    "Would this criterion leave enough competition? Models and brands whose certificate is still valid on "
    "the day the contract ends, from the latest good crawl of each source."
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    category = widgets.choice(
        "Category",
        options["category"],
        "tender_category",
        default="notebook" if "notebook" in options["category"] else None,
    )
    market = widgets.market(options)
    labels = st.multiselect("Labels", options["label"], default=options["label"], key="labels", bind="query-params")
    mode = st.radio("A model qualifies with", [ANY_OF, EACH], key="mode", bind="query-params")
    levels = widgets.levels(options)
    contract_end = widgets.day(
        "Contract ends on", "contract_end", (pd.Timestamp.today() + pd.DateOffset(years=4)).date()
    )
    threshold = st.number_input(
        "Warn below this many brands", min_value=1, max_value=50, value=3, key="min_brands", bind="query-params"
    )

states = widgets.sources(path, version, show=False)
if not category or not labels:
    st.info("Choose a category and at least one label.")
    st.stop()

filters = queries.Filters(category=category, market=market, **levels)
chosen = tuple(labels)
counts = widgets.read(data.qualifying_brands, path, version, contract_end, filters, chosen)
counts["brand"] = counts["brand"].fillna(UNKNOWN_BRAND)
per_label = counts[counts["label"].notna()]
any_label = counts[counts["label"].isna()]

groups = (
    {f"any of: {', '.join(labels)}": any_label}
    if mode == ANY_OF
    else {label: per_label[per_label["label"] == label] for label in labels}
)
st.subheader(f"{category}, valid on {contract_end:%Y-%m-%d}")
summary = []
for name, rows in groups.items():  # a row per brand; a model is a brand and a model name, so models add up
    brands = int((rows["brand"] != UNKNOWN_BRAND).sum())
    summary.append(
        {
            "labels": name,
            "models": int(rows["models"].sum()),
            "brands": brands,
            "competition": f"weak: fewer than {threshold} brands" if brands < threshold else "ok",
        }
    )
for column, row in zip(st.columns(len(summary)), summary, strict=False):
    with column:
        st.metric(f"models ({row['labels']})", row["models"])
        st.metric(f"brands ({row['labels']})", row["brands"])
        if row["brands"] < threshold:
            st.warning(
                f"Only {row['brands']} brand(s) qualify, fewer than {threshold}: a tender asking for this "
                "criterion may get weak competition."
            )
        elif row["models"]:
            st.success(f"{row['brands']} brands qualify.")

if counts.empty:
    st.warning("No model in the loaded data meets these criteria until that day (0 models).")
    st.stop()

st.subheader("Models per brand")
per_brand = per_label.pivot_table(index="brand", columns="label", values="models", aggfunc="sum", fill_value=0)
if mode == ANY_OF and len(labels) > 1:
    per_brand["any of them"] = any_label.set_index("brand")["models"]
st.dataframe(per_brand.sort_values(per_brand.columns[-1], ascending=False), width="stretch")


def listing(models: pd.DataFrame) -> pd.DataFrame:
    """The qualifying models as shown and exported."""
    listed = models[
        ["label", "level", "brand", "model", "certificates", "valid_from", "valid_until", "markets", "url"]
    ].copy()
    listed["brand"] = listed["brand"].fillna(UNKNOWN_BRAND)
    listed["url"] = widgets.links(listed["url"])
    listed["valid_until"] = listed["valid_until"].astype("string").fillna("open (until archived)")
    return listed


def everything() -> pd.DataFrame:
    """The whole list, read when a download is clicked."""
    return listing(data.qualifying_models(path, version, contract_end, filters, chosen))


st.subheader("Qualifying models")
shown = widgets.read(data.qualifying, path, version, contract_end, filters, chosen, widgets.SHOWN_ROWS)
widgets.table(
    listing(shown),
    total=int(per_label["models"].sum()),
    column_config={
        "url": st.column_config.LinkColumn("registry"),
        "markets": st.column_config.NumberColumn(help="countries registered in (0: a global certificate)"),
    },
)

criteria = [
    ("category", category),
    ("market", market or widgets.ANY_MARKET),
    ("labels", ", ".join(labels)),
    ("a model qualifies with", mode),
    *widgets.criteria(levels),
    ("certificate valid on (contract end)", f"{contract_end:%Y-%m-%d}"),
    *[
        (f"qualifying: {row['labels']}", f"{row['models']} models, {row['brands']} brands ({row['competition']})")
        for row in summary
    ],
]
crawled = [
    (
        state["source"],
        f"run {int(state['run'])}, data as of {state['data as of']:%Y-%m-%d %H:%M} UTC ({state['status']})",
    )
    for state in states.to_dict("records")
    if pd.notna(state["run"])
]
stamp = f"{contract_end:%Y%m%d}"
left, right = st.columns(2)
with left:
    widgets.csv_download(everything, f"labelwatch-pretender-{category}-{stamp}.csv")
with right:
    st.download_button(
        "Download XLSX for the tender file",
        lambda: tender_workbook(
            f"labelwatch pre-tender check, made {datetime.now():%Y-%m-%d %H:%M}", criteria, crawled, everything()
        ),
        file_name=f"labelwatch-pretender-{category}-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
