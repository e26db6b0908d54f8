"""Supplier offers: devices for sale in shops, read from their product pages' structured data
and matched to the label records. What the project knows about the shops: README.md here."""

from crawlers.sources.declaration import N_, Source

SOURCE = Source(
    name="offers",
    title=N_("Supplier offers"),
    record_kind="offer",
    settings={"OFFERS_SHOPS": None},  # None: the shops of shops.toml in this folder
)
