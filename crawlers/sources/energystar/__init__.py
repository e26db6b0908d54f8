"""ENERGY STAR (U.S. EPA): certified computers and displays with their measured energy use,
from the programme's open data (Socrata). What the project knows about it: README.md here."""

from crawlers.sources.declaration import N_, Flag, Label, LevelScale, Source

# Specification versions of the computers and displays programmes, oldest first.
VERSIONS = LevelScale(
    N_("version"), ("5.0", "5.2", "6.0", "6.1", "7.0", "7.1", "8.0", "9.0"), shown=N_("version {level}")
)
MOST_EFFICIENT = Flag(
    "Most Efficient", help=N_("ENERGY STAR Most Efficient: the model meets the year's Most Efficient criteria")
)
WORKSTATION = Flag("Workstation", help=N_("ENERGY STAR: the computer is marketed as a workstation"))

SOURCE = Source(
    name="energystar",
    title="ENERGY STAR",
    labels=(Label("ENERGY STAR", VERSIONS),),
    flags=(MOST_EFFICIENT, WORKSTATION),
    markets="per_country",
    validity=N_(
        "a model counts from its certification date while the registry lists it; ENERGY STAR gives no end "
        "date, and a model missing from a later crawl is no longer listed"
    ),
    caveats=N_(
        "ENERGY STAR is a U.S. programme: its markets are the United States, Canada, Japan, Taiwan and "
        "Switzerland, not the EU (the EU agreement ended in 2018); read it as a reference for energy use"
    ),
    link_opens=N_("the ENERGY STAR dataset of the category, where the model is found by its name"),
    settings={
        "ENERGYSTAR_CATALOG_URL": "https://data.energystar.gov/data.json",
        "ENERGYSTAR_API_URL": "https://data.energystar.gov",
        # Datasets by kind: the title the catalogue lists them under, and the id and specification
        # version known when this was written (ids change with a new version; the catalogue says).
        "ENERGYSTAR_DATASETS": {
            "computers": {"title": "ENERGY STAR Certified Computers", "id": "rxdj-2c88", "version": "9.0"},
            "displays": {"title": "ENERGY STAR Certified Displays", "id": "qbg3-d468", "version": "8.0"},
        },
        "ENERGYSTAR_PAGE_SIZE": 1000,
    },
    environment=("ENERGYSTAR_APP_TOKEN",),
)
