"""TCO Certified (TCO Development): certified models from the Product Finder feed and the GTIN
API. What the project knows about the registry: README.md in this folder."""

from crawlers.sources.declaration import N_, Label, LevelScale, Source

GENERATIONS = LevelScale(N_("generation"), ("8", "9", "10"), numeric=True, shown=N_("generation {level}"))
FINDER = "https://industry.tcocertified.com/product-finder/"

SOURCE = Source(
    name="tco",
    title="TCO Certified",
    labels=(Label("TCO Certified", GENERATIONS), Label("TCO Certified Edge", GENERATIONS)),
    markets="global",
    validity=N_(
        "a certificate counts until its expiry date; TCO certificates run two years and are extended "
        "year by year while the product is sold, and a generation is archived about two years after the next one"
    ),
    caveats=N_(
        "the GTIN API gives no brand: its models count, but their brand is unknown unless the Product "
        "Finder lists the same certificate"
    ),
    record_link=FINDER + "?cert={certificate_id}",
    link_opens=N_("the certificate in TCO Certified's Product Finder"),
    settings={
        "TCO_FEED_URL": "https://industry.tcocertified.com/product-finder-app/items-get.php",
        "TCO_API_URL": "https://api.tcocertified.com",
        "TCO_PRODUCT_TYPES": [
            "Displays",
            "Desktops",
            "Notebooks",
            "All-in-OnePCs",
            "Tablets",
            "Smartphones",
            "Headsets",
            "Projectors",
        ],
    },
    environment=("TCO_API_USER", "TCO_API_PASSWORD"),
    monitor_min_share={"brand": 0.0},  # the GTIN API has no brand field: a run may rightly hold few brands
)
