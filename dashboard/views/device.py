"""One device across labels: the devices a model name, certificate, registration or GTIN names,
and what each label's registry says of them on a day."""

from datetime import date

import pandas as pd
import streamlit as st

from crawlers.sources import sources_of
from dashboard import data, names, widgets
from dashboard.i18n import _, number

path, version = widgets.database()
st.title(_("One device, every label"))
st.caption(
    _(
        "Records of several registries are one device when they share a registration, a GTIN, or the same brand "
        "and model number (possible matches not confirmed yet are listed on the Availability page). For each "
        "device the text below names: what each label's registry says on the chosen day, with what its record "
        "states (energy use, battery endurance, IP code…)."
    )
)
with st.sidebar:
    valid_on = widgets.day(_("Labels held on"), "valid_on", date.today())
text = st.text_input(
    _("Model name, certificate, registration or GTIN"),
    key="device",
    bind="query-params",
    placeholder="Dell U2724D",
    help=_(
        "Every word must appear in the brand and model name, case aside; or give a certificate id, an EPREL "
        "registration number or a GTIN."
    ),
)
widgets.sources(path, version, show=False)
if not text.strip():
    st.info(_("Type words of a model name, a certificate id, a registration number or a GTIN."))
    st.stop()

found = widgets.read(data.devices_named, path, version, text, valid_on)
if found.empty:
    st.warning(_("No label record valid on that day is named by these words or this number."))
    st.stop()

places = {device: place for place, device in enumerate(dict.fromkeys(found["device"]), start=1)}
shown = found.assign(device=found["device"].map(places), url=widgets.links(found["url"]))
left, right = st.columns(2)
left.metric(_("devices found"), number(len(places)))
right.metric(
    _("labels held by the first device"),
    number(found.loc[found["device"] == found["device"].iloc[0], "label"].nunique()),
)
people = names.for_people(widgets.validity_days(shown))
widgets.table(
    people,
    main=["device", "label", "level", "brand", "model", "valid_until", "url"],
    key="device",
    column_config={
        names.column("device"): st.column_config.NumberColumn(
            width="small", help=_("devices found, most labels first")
        ),
        names.column("model"): st.column_config.TextColumn(help=_("as each registry names it")),
        names.column("url"): widgets.record_links(sources_of(sorted(set(found["label"])))),
    },
)
widgets.csv_download(people, f"labelwatch-devices-{valid_on:%Y%m%d}.csv")

st.subheader(_("What the label records state"))
stated = pd.DataFrame(
    [
        {
            "device": places[row.device],
            "label": row.label,
            "measure": names.measure(name),
            "stated": names.measured(name, row.measures[name]),
        }
        for row in found.itertuples()
        for name in names.stated_measures(row.measures)
    ],
    columns=["device", "label", "measure", "stated"],
)
if stated.empty:
    st.info(_("These label records state no measure (TCO Certified and EPEAT publish none)."))
else:
    st.dataframe(names.for_people(stated), hide_index=True, width="stretch")

st.subheader(_("On offer"))
st.caption(
    _(
        "Offers joined to one of these devices: by the registration their page links, a GTIN only this device "
        "holds, or the same brand and model name. An offer whose GTIN a certificate lists for several models is "
        "on the Offers page only."
    )
)
offered = widgets.read(data.device_offers, path, version, tuple(places))
if offered.empty:
    st.info(_("No shop offer is joined to these devices."))
else:
    offered = offered.assign(device=offered["device"].map(places), url=widgets.links(offered["url"]))
    widgets.table(
        names.for_people(widgets.priced(offered, ("price", "price_high"))),
        main=["device", "shop", "name", "price", "vat_included", "availability", "condition", "url"],
        key="device_offers",
        column_config={names.column("url"): st.column_config.LinkColumn(display_text=_("open"))},
    )
st.caption(widgets.source_notes())
