import asyncio

from scrapy.http import Request

from crawlers.batching import BATCH_KEY, BatchingMiddleware


def outputs():
    yield {"n": 1}
    yield {"n": 2}
    yield Request("https://a.test/next")
    yield {"n": 3}
    yield {"n": 4}
    yield {"n": 5}


def shape(results):
    return [[r["n"] for r in o[BATCH_KEY]] if isinstance(o, dict) else o.url for o in results]


def test_records_are_grouped_and_requests_pass_through_in_order():
    expected = [[1, 2], "https://a.test/next", [3, 4], [5]]
    assert shape(BatchingMiddleware(2).process_spider_output(None, outputs())) == expected

    async def collect():
        async def agen():
            for o in outputs():
                yield o

        return [o async for o in BatchingMiddleware(2).process_spider_output_async(None, agen())]

    assert shape(asyncio.run(collect())) == expected
