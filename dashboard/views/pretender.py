"""Pre-tender check: how many models and brands meet a criterion on the day the tender is
published, and how many of them have a certificate end date within the contract term."""

from datetime import date, datetime

import pandas as pd
import streamlit as st

from crawlers.sources import sources_of
from crawlers.sources.declaration import N_
from dashboard import data, names, widgets
from dashboard.export import tender_workbook
from dashboard.i18n import _, country, ngettext, number, titled
from dashboard.i18n import day as day_text
from store import queries

ANY_OF, ALL_OF = queries.ANY_OF, queries.ALL_OF  # machine values of the mode choice, kept in the URL
EACH = "each"
MODES = {
    ANY_OF: N_("any of the chosen labels"),
    ALL_OF: N_("all of the chosen labels"),
    EACH: N_("each label on its own"),
}

path, version = widgets.database()
st.title(_("Pre-tender check"))
st.caption(
    _(
        "Would this criterion leave enough competition? Models and brands that meet it on the day the tender is "
        "published, from the latest good crawl of each source; beside them, how many have a certificate end date "
        "before the contract ends."
    )
)
options = widgets.read(data.choices, path, version)
with st.sidebar:
    category = widgets.choice(
        _("Category"),
        options["category"],
        "tender_category",
        default="notebook" if "notebook" in options["category"] else None,
    )
    market = widgets.market(options)
    labels = st.multiselect(
        _("Labels"),
        options["label"],
        default=options["label"],
        key="labels",
        bind="query-params",
        format_func=names.label,
    )
    mode = widgets.bound(
        st.radio, _("A model qualifies with"), list(MODES), "mode", format_func=lambda key: _(MODES[key])
    )
    levels = widgets.levels(options)
    levels["min_measures"] = widgets.measure_minimums(labels)
    published = widgets.day(_("Tender published on"), "published", date.today())
    contract_end = widgets.day(
        _("Contract ends on"), "contract_end", (pd.Timestamp(published) + pd.DateOffset(years=4)).date()
    )
    threshold = st.number_input(
        _("Warn below this many brands"), min_value=1, max_value=50, value=3, key="min_brands", bind="query-params"
    )

states = widgets.sources(path, version, show=False)
if not category or not labels:
    st.info(_("Choose a category and at least one label."))
    st.stop()
if contract_end < published:
    st.warning(_("The contract ends before the tender is published: check the two dates."))

filters = queries.Filters(category=category, market=market, **levels)
chosen = tuple(labels)
with_data = widgets.no_data(path, version, filters, labels)
counts = widgets.read(data.qualifying_brands, path, version, published, filters, chosen)
at_end = widgets.read(data.qualifying_brands, path, version, contract_end, filters, chosen)
if mode == EACH:
    groups = {
        names.label(label): (counts[counts["label"] == label], at_end[at_end["label"] == label])
        for label in labels
        if label in with_data
    }
else:  # devices: a model listed by several labels (store.products) counts once
    devices = widgets.read(data.product_counts, path, version, published, filters, chosen, mode)
    devices_at_end = widgets.read(data.product_counts, path, version, contract_end, filters, chosen, mode)
    heading = _("any of: {labels}") if mode == ANY_OF else _("all of: {labels}")
    groups = {
        heading.format(labels=", ".join(map(names.label, labels))): (
            devices.rename(columns={"products": "models"}),
            devices_at_end.rename(columns={"products": "models"}),
        )
    }
st.subheader(
    _("{category}, {market}: qualifying on {day}").format(
        category=names.category(category),
        market=country(market) if market else widgets.shown(widgets.ANY_MARKET),
        day=day_text(published),
    )
)
summary = []
for name, (rows, later) in groups.items():  # a row per brand, so models add up
    brands = int(rows["brand"].notna().sum())
    models = int(rows["models"].sum())
    ending = max(models - int(later["models"].sum()), 0)
    unconfirmed = int(rows["on_candidates"].sum()) if "on_candidates" in rows else 0
    summary.append({"labels": name, "models": models, "brands": brands, "ending": ending, "unconfirmed": unconfirmed})
for column, row in zip(st.columns(max(len(summary), 1)), summary, strict=False):
    with column:
        st.metric(_("models ({labels})").format(labels=row["labels"]), number(row["models"]))
        st.metric(_("brands ({labels})").format(labels=row["labels"]), number(row["brands"]))
        if row["brands"] < threshold:
            st.warning(
                ngettext(
                    "Only {n} brand qualifies, fewer than {threshold}: a tender asking for this criterion may get "
                    "weak competition.",
                    "Only {n} brands qualify, fewer than {threshold}: a tender asking for this criterion may get "
                    "weak competition.",
                    row["brands"],
                ).format(n=row["brands"], threshold=threshold)
            )
        else:
            st.success(_("{n} brands qualify.").format(n=number(row["brands"])))
        if row["models"]:
            st.caption(
                _(
                    "{n} of these models have no certificate running beyond {day} (the contract's end): a risk to "
                    "check, not a disqualification."
                ).format(n=number(row["ending"]), day=day_text(contract_end))
            )
if mode != EACH:
    st.caption(
        _(
            "A device counts once, however many labels and registry entries list it: labelwatch links the records "
            "of one device by a shared registration number, GTIN or model number."
        )
        + " "
        + (
            ngettext(
                "{n} of these models may be the same device as another one listed, a possible match an analyst has "
                "not confirmed yet: the count may be up to {n} lower.",
                "{n} of these models may be the same device as another one listed, possible matches an analyst has "
                "not confirmed yet: the count may be up to {n} lower.",
                summary[0]["unconfirmed"],
            ).format(n=number(summary[0]["unconfirmed"]))
            if summary and summary[0]["unconfirmed"]
            else ""
        )
    )
rules = sources_of(chosen)
st.caption(  # each chosen label's rule, as its source declares it
    _("What each end date means:")
    + " "
    + "; ".join(titled(_(source.title), _(source.validity)) for source in rules)
    + "."
)

if counts.empty or not summary or not summary[0]["models"]:
    if with_data:
        st.warning(_("No model in the loaded data meets these criteria on that day (0 models)."))
    st.stop()

st.subheader(_("Models per brand"))
unknown = _("(brand unknown)")
per_brand = counts.assign(brand=counts["brand"].fillna(unknown)).pivot_table(
    index="brand", columns="label", values="models", aggfunc="sum", fill_value=0
)
per_brand.columns = [names.label(label) for label in per_brand.columns]
if mode != EACH and len(labels) > 1:
    column = _("any of them") if mode == ANY_OF else _("all of them")
    per_brand[column] = devices.assign(brand=devices["brand"].fillna(unknown)).set_index("brand")["products"]
    per_brand[column] = per_brand[column].fillna(0).astype(int)
per_brand = per_brand.sort_values(per_brand.columns[-1], ascending=False).reset_index()
per_brand.columns = [names.column("brand"), *per_brand.columns[1:]]
st.dataframe(
    per_brand,
    hide_index=True,
    width="stretch",
    column_config={names.column("brand"): st.column_config.TextColumn(width="medium")},  # "(brand unknown)" whole
)


def listing(models: pd.DataFrame) -> pd.DataFrame:
    """The qualifying models as a person reads them (shown and exported)."""
    listed = models[
        ["label", "level", "brand", "model", "valid_until", "certificates", "valid_from", "markets", "url"]
    ].copy()
    listed["brand"] = listed["brand"].fillna(_("(brand unknown)"))
    listed["url"] = widgets.links(listed["url"])
    return names.for_people(widgets.validity_days(listed))


def everything() -> pd.DataFrame:
    """The whole list, read when a download is clicked."""
    return listing(data.qualifying_models(path, version, published, filters, chosen, all_of=mode == ALL_OF))


st.subheader(_("Qualifying models"))
shown = widgets.read(data.qualifying, path, version, published, filters, chosen, widgets.SHOWN_ROWS, mode == ALL_OF)
if mode == ALL_OF:
    st.caption(_("The models of the devices that hold every chosen label, one row per label."))
widgets.table(
    listing(shown),
    total=None if mode == ALL_OF else int(counts["models"].sum()),
    main=["label", "level", "brand", "model", "valid_until", "url"],
    key="qualifying",
    column_config={  # widths so that the key columns fit a 1280-pixel screen beside the sidebar
        names.column("label"): st.column_config.TextColumn(width="small"),
        names.column("level"): st.column_config.TextColumn(width="small"),
        names.column("brand"): st.column_config.TextColumn(width="small"),
        names.column("model"): st.column_config.TextColumn(width=330),
        names.column("valid_until"): st.column_config.TextColumn(width="medium"),
        names.column("url"): widgets.record_links(rules, width="small"),
        names.column("markets"): st.column_config.NumberColumn(
            help=_("countries registered in (0: a global certificate)")
        ),
    },
)

criteria = [
    (_("category"), names.category(category)),
    (_("market"), country(market) if market else widgets.shown(widgets.ANY_MARKET)),
    (_("labels"), ", ".join(map(names.label, labels))),
    (_("a model qualifies with"), _(MODES[mode])),
    *widgets.criteria(levels),
    (_("qualifying on (tender published)"), day_text(published)),
    (_("contract ends on"), day_text(contract_end)),
    *[
        (
            _("qualifying: {labels}").format(labels=row["labels"]),
            _("{models} models, {brands} brands; {ending} with no certificate beyond the contract's end").format(
                models=row["models"], brands=row["brands"], ending=row["ending"]
            ),
        )
        for row in summary
    ],
]
crawled = [
    (
        names.source(state["source"]),
        _("run {run}, data as of {day} ({status})").format(
            run=int(state["run"]), day=day_text(state["data as of"]), status=names.value(state["status"])
        ),
    )
    for state in states.to_dict("records")
    if pd.notna(state["run"])
]
stamp = f"{published:%Y%m%d}"
left, right = st.columns(2)
with left:
    widgets.csv_download(everything, f"labelwatch-pretender-{category}-{stamp}.csv")
with right:
    st.download_button(
        _("Download XLSX for the tender file"),
        lambda: tender_workbook(
            _("labelwatch pre-tender check, made {moment}").format(moment=f"{datetime.now():%Y-%m-%d %H:%M}"),
            criteria,
            crawled,
            everything(),
        ),
        file_name=f"labelwatch-pretender-{category}-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
