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


class BatchingMiddleware:
    def __init__(self, size: int):
        self.size = size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("LABELWATCH_BATCH_SIZE", 500))

    def process_spider_output(self, response, result):
        batch = []
        for output in result:
            if isinstance(output, dict) and not is_batch(output):
                batch.append(output)
                if len(batch) >= self.size:
                    yield {BATCH_KEY: batch}
                    batch = []
            else:
                yield output
        if batch:
            yield {BATCH_KEY: batch}

    async def process_spider_output_async(self, response, result):
        batch = []
        async for output in result:
            if isinstance(output, dict) and not is_batch(output):
                batch.append(output)
                if len(batch) >= self.size:
                    yield {BATCH_KEY: batch}
                    batch = []
            else:
                yield output
        if batch:
            yield {BATCH_KEY: batch}
