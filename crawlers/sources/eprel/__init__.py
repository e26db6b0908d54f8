"""EPREL (European Product Registry for Energy Labelling, European Commission): the EU energy
label of electronic displays, smartphones and slate tablets, and the repairability class of
phones and tablets. What the project knows about it: README.md here."""

from crawlers.sources.declaration import N_, Flag, Label, LevelScale, Source
from crawlers.vocabulary import EU_MEMBER_STATES

# Classes lowest first: rank 1 is G (energy) or E (repairability), the best class ranks highest.
ENERGY_CLASSES = LevelScale(N_("class"), ("G", "F", "E", "D", "C", "B", "A"), shown=N_("class {level}"))
REPAIRABILITY_CLASSES = LevelScale(N_("class"), ("E", "D", "C", "B", "A"), shown=N_("class {level}"))
ENERGY_LABEL = Label(N_("EU energy label"), ENERGY_CLASSES)
REPAIRABILITY = Label(N_("EU repairability class"), REPAIRABILITY_CLASSES)

REPLACEABLE_BATTERY = Flag(
    N_("User-replaceable battery"), help=N_("EU energy label: the user can replace the battery (EPREL)")
)
USB_C = Flag(N_("USB-C charging"), help=N_("EU energy label: the charger receptacle is USB Type-C (EPREL)"))
FOLDABLE = Flag(N_("Foldable"), help=N_("EU energy label: a foldable phone or tablet (EPREL)"))

# The product groups labelwatch reads: EPREL's url_code → its code (GET /api/product-groups).
GROUPS = {
    "smartphonestablets20231669": "SMARTPHONE_TABLET_2023_1669",
    "electronicdisplays": "ELECTRONIC_DISPLAY",
}

SOURCE = Source(
    name="eprel",
    title="EPREL",
    labels=(ENERGY_LABEL, REPAIRABILITY),
    flags=(REPLACEABLE_BATTERY, USB_C, FOLDABLE),
    markets="per_country",
    market_scope=EU_MEMBER_STATES,
    validity=N_(
        "a model counts from the day its supplier placed it on the EU market until its on-market end date, "
        "if the supplier gave one; a registration withdrawn from EPREL no longer counts"
    ),
    caveats=N_(
        "EPREL holds what suppliers declare for the EU market, not tested values; a registration counts in "
        "every EU member state; EPREL does not say whether a display is a monitor or a television: labelwatch "
        "decides by rules on its size, resolution and model name, and leaves the rest undecided"
    ),
    record_link="https://eprel.ec.europa.eu/qr/{certificate_id}",
    link_opens=N_("the model's public page in EPREL, with its energy label"),
    # The label's QR code opens /qr/<registration>, which redirects to /screen/product/<group>/<registration>.
    registration_pages=(
        "https://eprel.ec.europa.eu/qr/{registration}",
        "https://eprel.ec.europa.eu/screen/product/{any}/{registration}",
    ),
    settings={
        "EPREL_API_URL": "https://eprel.ec.europa.eu/api",
        "EPREL_GROUPS": list(GROUPS),
        "EPREL_PAGE_SIZE": 100,
        "EPREL_EXPORT": True,  # ask for the bulk export (a ZIP of JSON) first, page when it is refused
    },
    environment=("EPREL_API_KEY",),
    criteria=(
        "battery_cycles",
        "ip_rating",
        "falls_without_defect",
        "software_update_years",
        "guarantee_months",
        "repairability_index",
    ),
    # A display no rule places as monitor or television has category "other" (display_rules.toml).
    monitor_min_share={"category": 0.5},
)
