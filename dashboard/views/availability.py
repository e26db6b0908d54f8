"""Devices per label per category, from the latest good run of each source."""

from dataclasses import replace
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from crawlers.sources import LevelScale, labels
from dashboard import data, names, widgets
from dashboard.i18n import _, country, number
from dashboard.i18n import day as day_text
from store import queries

# Energy use against the label's limit: how many models are at least this far below it (%).
BELOW_LIMIT = (10, 20, 40, 60, 80)
# Screen-size bands (inches) for the on-mode power of displays: office monitors up to 34", signage above.
SCREEN_BANDS = (0, 22, 25, 28, 35, 50, 65)

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
people[series] = people[names.column("label")] + " · " + people[names.column("level")]
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


def with_empty_levels(rows: pd.DataFrame, scale: LevelScale | None) -> pd.DataFrame:
    """One label's ladder with the scale's levels that have no model (0), from its lowest
    populated level up to the scale's best, per category: "class A: 0" is the answer a buyer
    asking for class A needs. Without a scale (a source no longer declared): as it is."""
    if scale is None:
        return rows
    filled = []
    for category_key, part in rows.groupby("category", sort=True):
        ranks = {r: lv for lv in scale.levels if (r := scale.rank(lv)) is not None and r >= part["level_rank"].min()}
        ranks.update(zip(part["level_rank"], part["level"], strict=True))
        full = pd.DataFrame({"level_rank": sorted(ranks, reverse=True)})
        full = full.assign(label=part["label"].iloc[0], category=category_key, level=full["level_rank"].map(ranks))
        full = full.merge(part.drop(columns=["label", "category", "level"]), on="level_rank", how="left")
        full[["models", "brands"]] = full[["models", "brands"]].fillna(0)
        # Sorted best first: a level without models has the "or better" counts of the level above it.
        better = ["models_or_better", "brands_or_better"]
        full[better] = full[better].ffill().fillna(0)
        filled.append(full)
    return pd.concat(filled, ignore_index=True)


def populated_levels() -> None:
    """Per label with a level scale: models and brands at each level and at that level or
    better, per category: whether "class B or better" still leaves competition."""
    ladder = widgets.read(data.level_ladder, path, version, valid_on, filters)
    if ladder.empty:
        return
    st.subheader(_("Which levels are populated"))
    st.markdown(
        _(
            "Per label and category: models and brands at each level, and at that level or better, which is what a "
            "minimum level in a tender leaves (0 where no model reaches it)."
        )
    )
    columns = ["category", "level", "models", "brands", "models_or_better", "brands_or_better"]
    for label_name, rows in ladder.groupby("label", sort=True):
        declared = labels().get(label_name)
        shown = with_empty_levels(rows, declared[1].scale if declared else None)
        st.markdown(f"**{names.label(label_name)}**")
        counts = {c: shown[c].astype(int) for c in columns[2:]}
        st.dataframe(
            names.for_people(shown.assign(**counts)[["label", *columns]]).drop(columns=[names.column("label")]),
            hide_index=True,
            width="stretch",
        )


def measured_energy() -> None:
    """Energy use as the labels measured it, for every source whose records carry the measures
    (crawlers.measures): models at least so far below the label's limit, and the median
    on-mode power per screen size."""
    below = widgets.read(data.measure_thresholds, path, version, valid_on, "below_limit_percent", BELOW_LIMIT, filters)
    power = widgets.read(
        data.measure_by_band, path, version, valid_on, "on_mode_power_w", "screen_size_in", SCREEN_BANDS, filters
    )
    if below.empty and power.empty:
        if (
            filters.market is not None
            and not widgets.read(
                data.measure_thresholds,
                path,
                version,
                valid_on,
                "below_limit_percent",
                BELOW_LIMIT,
                replace(filters, market=None),
            ).empty
        ):
            st.info(
                _(
                    "The labels that publish measured energy use list no model in {market}: choose "
                    "“any market” to see their measures."
                ).format(market=country(filters.market))
            )
        return
    st.subheader(_("Measured energy use"))
    if not below.empty:
        st.markdown(
            _(
                "**{measure}**: models whose measured annual energy use is at least this far below the limit their "
                "label sets (a tender may ask, say, for 20 % below the limit)"
            ).format(measure=names.measure("below_limit_percent"))
        )
        keys = ["label", "category"]
        wide = below.pivot_table(index=keys, columns="threshold", values="models", aggfunc="sum").reset_index()
        wide.columns = [*keys, *(_("≥ {n} % below").format(n=number(int(t))) for t in wide.columns[len(keys) :])]
        measured = below.groupby(keys, as_index=False)["measured"].first()
        shown = names.for_people(measured.merge(wide, on=keys).rename(columns={"measured": "models"}))
        st.dataframe(shown, hide_index=True, width="stretch")
    if not power.empty:
        st.markdown(
            _("**{measure}** (W) per {size}: median, lowest and highest of the models measured").format(
                measure=names.measure("on_mode_power_w"), size=names.measure("screen_size_in")
            )
        )
        band = power.apply(
            lambda r: (
                _("{low}\u2033 and more").format(low=number(int(r["band_from"])))
                if pd.isna(r["band_to"])
                else _("{low}\u2033 to under {high}\u2033").format(
                    low=number(int(r["band_from"])), high=number(int(r["band_to"]))
                )
            ),
            axis=1,
        )
        shown = names.for_people(power.drop(columns=["band_from", "band_to"]).assign(band=band))
        st.dataframe(
            shown[[names.column(c) for c in ("label", "category", "band", "models", "median", "lowest", "highest")]],
            hide_index=True,
            width="stretch",
        )


def devices_across_labels() -> None:
    """Per category, devices (store.products) carrying two labels at once, and the possible
    matches no analyst has confirmed yet (read-only: they decide with the command line)."""
    overlap = widgets.read(data.label_overlap, path, version, valid_on, filters)
    shared = overlap[overlap["label_a"] != overlap["label_b"]]
    if shared.empty:
        return
    st.subheader(_("One device, several labels"))
    st.markdown(
        _(
            "Per category: devices holding both the row's and the column's label on the day; on the diagonal, each "
            "label's own devices. The records of one device are linked across registries by a registration number, "
            "a GTIN or the same model number."
        )
    )
    for category_name in sorted(set(shared["category"])):
        rows = overlap[overlap["category"] == category_name]
        matrix = rows.pivot(index="label_a", columns="label_b", values="products")
        matrix.index = [names.label(label) for label in matrix.index]
        matrix.columns = [names.label(label) for label in matrix.columns]
        st.markdown(f"**{names.category(category_name)}**")
        st.dataframe(matrix.astype("Int64").astype("string").fillna("–"), width="stretch")
    candidates = widgets.read(data.candidates, path, version, widgets.SHOWN_ROWS)
    if candidates.empty:
        return
    with st.expander(_("Possible matches not confirmed yet")):
        st.caption(
            _(
                "Records of two registries that may be one device (a model number differing by a letter, a "
                "configuration code). They count as two until an analyst confirms them "
                "(labelwatch products decide); most similar first."
            )
        )
        columns = ["brand", "source_a", "model_a", "source_b", "model_b", "category", "score", "member_a", "member_b"]
        shown = names.for_people(candidates.assign(score=candidates["score"].round().astype(int))[columns])
        st.dataframe(shown, hide_index=True, width="stretch")


populated_levels()
devices_across_labels()
measured_energy()
