"""Records travel through Scrapy in batches.

Scrapy spends ~200 µs of engine work on every item (signals, deferreds, pipeline chain); a
250,000-row registry export would spend most of its time there. This spider middleware groups
the records a callback yields into batches of LABELWATCH_BATCH_SIZE. Spiders still yield one
dict per record, and the pipelines still validate and write each record on its own, so a
batch is only transport: a bad record is dropped alone, never its batch.
"""

BATCH_KEY = "labelwatch_batch"


def is_batch(item) -> bool:
    return isinstance(item, dict) and BATCH_KEY in item


class _Batches:
    """Collects records; hands back what is ready to pass on (a full batch, or a non-record)."""

    def __init__(self, size: int):
        self.size, self.records = size, []

    def add(self, output) -> list:
        if not isinstance(output, dict) or is_batch(output):
            return [output]
        self.records.append(output)
        return self.flush() if len(self.records) >= self.size else []

    def flush(self) -> list:
        batch, self.records = self.records, []
        return [{BATCH_KEY: batch}] if batch else []


class BatchingMiddleware:
    def __init__(self, size: int):
        self.size = size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("LABELWATCH_BATCH_SIZE", 500))

    def process_spider_output(self, response, result):
        batches = _Batches(self.size)
        for output in result:
            yield from batches.add(output)
        yield from batches.flush()

    async def process_spider_output_async(self, response, result):
        batches = _Batches(self.size)
        async for output in result:
            for ready in batches.add(output):
                yield ready
        for ready in batches.flush():
            yield ready
