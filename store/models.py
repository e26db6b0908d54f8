"""Schema, declared with SQLModel and created in DuckDB through duckdb_engine.

DuckDB has no autoincrement: run ids come from a Sequence. A `certification` row is one
version of a record, seen unchanged in every loaded run of its source from `first_run_id` to
`last_run_id`; history therefore grows with changes, not with runs.
"""

from datetime import date, datetime

from duckdb_engine.datatypes import Map, UBigInteger
from sqlalchemy import ARRAY, Boolean, Column, Date, Double, Integer, Sequence, String, Table, Text
from sqlmodel import Field, SQLModel

from store.records import CERTIFICATION, OFFER, RecordKind

RUN_ID_SEQ = Sequence("crawl_run_id_seq")
SUMMARY_ID_SEQ = Sequence("run_summary_id_seq")


class DatabaseIdentity(SQLModel, table=True):
    """One row: this database's id, named in the header of each of its run files (store.run_files)."""

    __tablename__ = "database_identity"

    id: str = Field(primary_key=True)


class CrawlRun(SQLModel, table=True):
    __tablename__ = "crawl_run"

    id: int | None = Field(
        default=None,
        sa_column=Column(Integer, RUN_ID_SEQ, server_default=RUN_ID_SEQ.next_value(), primary_key=True),
    )
    source: str
    origin: str  # "live", "replay <dir>" or "import <file>"
    started_at: datetime
    finished_at: datetime | None = None
    # The day its data describes: a replay's recorded answers' date (crawlers.replay), else the crawl's day.
    data_day: date | None = None
    status: str = "running"  # running | loaded | failed
    close_reason: str | None = None
    items: int = 0
    invalid_items: int = 0
    errors: int = 0
    message: str | None = None
    stats: str | None = Field(default=None, sa_column=Column(Text))  # Scrapy stats as JSON
    run_file: str | None = None
    pid: int | None = None
    record_kind: str = Field(default="certification", sa_column_kwargs={"server_default": "certification"})  # or offer


def _versions(kind: RecordKind) -> Table:
    """The version table of a record kind: a record as its item model declares it
    (store.records), and the span of its source's loaded runs (`first_run_id`..`last_run_id`)
    in which it was seen unchanged (`content_hash`: DuckDB's 64-bit hash of its attributes; a
    DuckDB upgrade that changed hash() would version every record anew once).

    (source, record_key, first_run_id) identifies a version, but the table has no primary key,
    because DuckDB's index on it cost a first load 10 % of its time, a weekly load into five
    years of history half of it, and that history a fifth of its file. store.load keeps the
    versions unique (repeated lines merged, a version inserted once)."""
    return Table(
        kind.table,
        SQLModel.metadata,
        Column("source", String, nullable=False),
        Column("record_key", String, nullable=False),
        Column("first_run_id", Integer, nullable=False),
        Column("last_run_id", Integer, nullable=False),
        Column("content_hash", String, nullable=False),
        *kind.table_columns(),
    )


certification = _versions(CERTIFICATION)
offer = _versions(OFFER)  # one offer version: a shop's product page (and condition and seller) as crawled


class RunSummary(SQLModel, table=True):
    """Any-market availability of one loaded run, valid on its day: the trends' input."""

    __tablename__ = "run_summary"

    id: int | None = Field(
        default=None,
        sa_column=Column(Integer, SUMMARY_ID_SEQ, server_default=SUMMARY_ID_SEQ.next_value(), primary_key=True),
    )
    run_id: int = Field(index=True)
    source: str
    label: str
    level: str | None
    category: str
    models: int
    brands: int
    certificates: int


def _judged_across_markets() -> list[Column]:
    """What store.queries.valid() judges a row folded across markets on: its level rank,
    flags and measures, its validity, its markets (`worldwide`: one of its records had none)."""
    return [
        Column("level_rank", Integer),
        Column("flags", ARRAY(String)),
        Column("measures", Map(String, Double)),
        Column("valid_from", Date),
        Column("valid_until", Date),
        Column("markets", ARRAY(String)),
        Column("worldwide", Boolean),
    ]


# The counted records (status active or unknown) of each source's latest loaded run, with 64-bit
# keys precomputed for counting (store.queries.COUNTING_KEYS), each model's number of records in
# its cell (label and category) and the hash of its GTIN list (`gtins_hash`, see current_gtin).
# Derived from `certification`: each load rebuilds its source's rows in its transaction, so the
# dashboard reads a few hundred thousand rows of integers instead of finding them among years of
# versions. No primary key: DuckDB's index would make the rebuild 70 times slower.
current_certification = Table(
    "current_certification",
    SQLModel.metadata,
    *(
        Column(name, String)
        for name in (
            "source",
            "record_key",
            "label",
            "level",
            "category",
            "market",
            "brand_normalised",
            "model_key",
            "model",
            "certificate_id",
            "url",
            "registry_id",  # what a shop page's link to the registry names (offers match by it)
        )
    ),
    Column("valid_from", Date),
    Column("valid_until", Date),
    Column("level_rank", Integer),
    Column("flags", ARRAY(String)),
    Column("unknown_flags", ARRAY(String)),
    *(Column(name, UBigInteger) for name in ("group_id", "cell_id", "model_id", "brand_id", "certificate_hash")),
    Column("model_records", Integer),
    Column("gtins_hash", UBigInteger),
    Column("measures", Map(String, Double)),  # crawlers.measures: name → value (store.queries.measures reads them)
    Column("product_key", UBigInteger),  # the device's (store.products), set by the re-link after each load
)

# The GTINs of current_certification, one row per distinct list (`gtins_hash`) and GTIN: what
# offers are matched against. Registrations share lists (an EPEAT product's in all its
# countries), so this holds a few hundred thousand GTINs where the records carry millions.
current_gtin = Table(
    "current_gtin",
    SQLModel.metadata,
    Column("source", String),
    Column("gtins_hash", UBigInteger),
    Column("gtin", String),
)

# current_certification as counted across markets (store.queries.fold): the registrations of one
# product in many countries (EPEAT: up to 43) folded into one row with their `markets`
# (`worldwide`: one of them has no market, a global certificate), so counts read a row per
# product, not per country. `model_shared` / `certificate_shared`: another row of
# the same group has this model / certificate, so only those need counting as distinct.
current_across_markets = Table(
    "current_across_markets",
    SQLModel.metadata,
    *(Column(name, String) for name in ("source", "label", "level", "category", "brand_normalised")),
    *(Column(name, UBigInteger) for name in ("group_id", "cell_id", "model_id", "brand_id", "certificate_hash")),
    *_judged_across_markets(),
    Column("model_shared", Boolean),
    Column("certificate_shared", Boolean),
    Column("product_key", UBigInteger),
)

# Which current label records each current offer may match (store.queries.offer_candidates),
# by registration, GTIN or through its product (store.products), with what the read
# needs of each record, folded across markets as in current_across_markets, so no read matches
# thousands of offers against every record. Validity and the buyer's filters decide which of
# them count (current_offer_label: for every day, without filters). Rebuilt by every load.
current_offer_match = Table(
    "current_offer_match",
    SQLModel.metadata,
    Column("offer_key", String),
    Column("matched_by", String),
    *(Column(name, String) for name in ("source", "label", "level", "category", "certificate_id", "model")),
    *_judged_across_markets(),
)

# What each current offer shows per label (store.queries.offer_labels): its days cut where one
# of its current_offer_match candidates starts or stops being valid (-infinity and infinity at
# the ends), and for each span (shown_from to shown_until) in which it matches something, the
# labels the matching rules give it, with the measures its record states; a day with no row is
# "no label found". The Offers page
# reads the rows of the chosen day instead of applying the rules to every candidate; reads whose
# filters narrow the label records apply the rules themselves.
current_offer_label = Table(
    "current_offer_label",
    SQLModel.metadata,
    Column("offer_key", String),
    Column("shown_from", Date),
    Column("shown_until", Date),
    *(Column(name, String) for name in ("label", "category", "level", "certificates")),
    Column("label_models", Integer),
    Column("matched_by", String),
    Column("measures", Map(String, Double)),  # what the label's record at its best level states
)

# Product identity (store.products): every current label model (a source's brand and model key)
# and offer is a member; members that are the same device share `product_id` (the least
# member_id among them). `member_id` is stable across loads (a hash of what identifies the
# member), so analysts' decisions name it. `linked_by`: the strongest link that joined it
# (decision, registration, gtin, model key), NULL while it stands alone. `keys`: its model keys
# (store.products.keys) and `blocks` (where its candidates are sought), computed once per member.
product_member = Table(
    "product_member",
    SQLModel.metadata,
    *(Column(name, String) for name in ("member_id", "kind", "source")),
    Column("model_id", UBigInteger),  # a label model's (source, model_id) in current_certification
    *(Column(name, String) for name in ("offer_key", "brand", "model", "category")),
    *(Column(name, ARRAY(String)) for name in ("gtins", "registrations", "keys", "blocks")),
    *(Column(name, String) for name in ("product_id", "linked_by")),
    Column("product_key", UBigInteger),  # hash(product_id): what counts join and count on
)

# Pairs of members of different sources that may be the same device (store.products.pairs), in
# different products, not decided yet: what `labelwatch products review` lists.
product_candidate = Table(
    "product_candidate",
    SQLModel.metadata,
    Column("member_a", String),
    Column("member_b", String),
    Column("score", Double),
)

# What product_member was last linked from (store.products.link): the members' identifiers and
# the decisions file, hashed; a load that changes neither keeps the links as they are.
product_state = Table("product_state", SQLModel.metadata, Column("state", String))
