"""EPEAT (Global Electronics Council): registered products per country, tier and Climate+.
What the project knows about the registry: README.md in this folder."""

from crawlers.sources.declaration import N_, Flag, Label, LevelScale, Source

TIERS = LevelScale(N_("tier"), ("Bronze", "Silver", "Gold"))
CLIMATE_PLUS = Flag("Climate+", help=N_("EPEAT Climate+: the product meets EPEAT's climate change mitigation criteria"))

SOURCE = Source(
    name="epeat",
    title="EPEAT",
    labels=(Label("EPEAT", TIERS),),
    flags=(CLIMATE_PLUS,),
    markets="per_country",
    validity=N_(
        "a registration counts from its registration date until it is archived; EPEAT gives no end date in advance"
    ),
    link_opens=N_(
        "the registry's search page of the category: EPEAT publishes no address for one product, so search "
        "there for the model's name"
    ),
    settings={
        "EPEAT_HOME_URL": "https://www.epeat.net/",
        "EPEAT_EXPORT_URLS": [],  # export URLs to fetch directly, skipping discovery from the home page
    },
)
