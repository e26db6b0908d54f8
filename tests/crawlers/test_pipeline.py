import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.batching import BATCH_KEY
from crawlers.items import Certification
from crawlers.pipelines import ValidationPipeline
from crawlers.sources.tco.spider import TcoSpider


def record(**changes):
    base = {
        "source": "tco",
        "run_id": 7,
        "record_key": "D1/s27",
        "label": "TCO Certified",
        "level": "10",
        "brand": "Samsung",
        "model": "S27",
        "category": "display",
        "category_raw": "displays",
        "certificate_id": "D1",
        "valid_from": "2024-12-04",
        "valid_until": "2027-04-23",
        "status": "ACTIVE",
        "gtins": ["08806095545479"],
        "url": None,
    }
    return {**base, **changes}


@pytest.fixture
def pipeline():
    crawler = get_crawler(TcoSpider)
    crawler.spider = TcoSpider.from_crawler(crawler)
    return ValidationPipeline.from_crawler(crawler)


def test_a_valid_record_becomes_the_item_model(pipeline):
    [item] = pipeline.process_item(record())[BATCH_KEY]
    assert isinstance(item, Certification)
    assert item.brand_normalised == "Samsung" and item.model_key == "s27"


def test_a_bad_record_in_a_batch_is_dropped_alone(pipeline, caplog):
    batch = {
        BATCH_KEY: [record(), record(record_key="D1/bad", valid_until="soon"), record(record_key="D1/s28", model="S28")]
    }
    kept = pipeline.process_item(batch)[BATCH_KEY]
    assert [i.model for i in kept] == ["S27", "S28"]
    assert pipeline.stats.get_value("items/invalid/valid_until") == 1
    assert "tco: record 'D1/bad' rejected: valid_until" in caplog.text
    with pytest.raises(DropItem, match="all 1 records"):
        pipeline.process_item({BATCH_KEY: [record(gtins=["1"])]})


def test_a_bad_record_is_dropped_naming_source_record_and_field(pipeline):
    with pytest.raises(DropItem) as dropped:
        pipeline.process_item(record(valid_until="2027-02-30", gtins=["123"]))
    message = str(dropped.value)
    assert message.startswith("tco: record 'D1/s27' rejected:")
    assert "valid_until:" in message and "gtins:" in message
    assert pipeline.stats.get_value("items/invalid") == 1
    assert pipeline.stats.get_value("items/invalid/valid_until") == 1
    assert pipeline.stats.get_value("items/invalid/gtins") == 1


def test_unknown_fields_and_end_before_start_are_rejected(pipeline):
    with pytest.raises(DropItem, match="surprise"):
        pipeline.process_item(record(surprise=1))
    with pytest.raises(DropItem, match="before valid_from"):
        pipeline.process_item(record(valid_from="2028-01-01"))


class _FullDisk:
    name = "/data/runs/lw.duckdb/tco/run-7.jsonl"

    def write(self, text):
        raise OSError(28, "No space left on device")

    def close(self):
        raise OSError(28, "No space left on device")


def test_a_run_file_that_cannot_be_written_names_the_cause_once(pipeline, caplog):
    """Disk full: the run is failed for that reason, not loaded half-written ("Malformed JSON")."""
    from crawlers.pipelines import UNWRITABLE, RunFilePipeline

    writer = RunFilePipeline.from_crawler(pipeline.crawler)
    writer.out = _FullDisk()
    batch = pipeline.process_item(record())
    for _ in range(3):
        with pytest.raises(DropItem, match="the run file cannot be written"):
            writer.process_item(batch)
    writer.close_spider()
    stats = pipeline.crawler.stats
    assert stats.get_value(UNWRITABLE) == (
        "run file /data/runs/lw.duckdb/tco/run-7.jsonl could not be written: [Errno 28] No space left on device"
    )
    assert stats.get_value("labelwatch/records_written") is None
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [stats.get_value(UNWRITABLE)]


def test_a_brand_missing_from_the_alias_table_is_named_in_the_stats(pipeline):
    """crawlers/data/brands.toml's to-do list: one stat per brand not placed, a placed one none."""
    pipeline.process_item({BATCH_KEY: [record(brand="Nokiaa Oy"), record(record_key="D2", brand="SAMSUNG")]})
    stats = pipeline.stats.get_stats()
    assert stats["tco/brand/unplaced/Nokiaa"] == 1
    assert not [k for k in stats if k.startswith("tco/brand/unplaced/") and k != "tco/brand/unplaced/Nokiaa"]
