"""Replay answers from a recording and never reaches out; record writes that same format."""

import asyncio
import json
import logging

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, TextResponse

from crawlers.replay import (
    OPTIONAL,
    SECRET,
    BadRecording,
    NotRecorded,
    RecordMiddleware,
    ReplayIndex,
    ReplayMiddleware,
    recorded_settings,
)


def answer(replay, request):
    return asyncio.run(replay.process_request(request))


def write_recording(directory, entries):
    (directory / "bodies").mkdir(parents=True, exist_ok=True)
    lines = []
    for n, (entry, body) in enumerate(entries):
        (directory / "bodies" / f"{n}.json").write_bytes(body)
        lines.append(
            json.dumps(
                {"status": 200, "headers": {"Content-Type": ["application/json"]}, "body": f"bodies/{n}.json", **entry}
            )
        )
    (directory / "index.jsonl").write_text("\n".join(lines) + "\n")


def test_matches_on_method_and_full_url_including_query(tmp_path):
    write_recording(
        tmp_path,
        [
            ({"method": "POST", "url": "https://api.test/gtin?page=1&product_type=Displays"}, b'{"page": 1}'),
            ({"method": "POST", "url": "https://api.test/gtin?page=2&product_type=Displays"}, b'{"page": 2}'),
        ],
    )
    replay = ReplayMiddleware(tmp_path)
    response = answer(replay, Request("https://api.test/gtin?page=2&product_type=Displays", method="POST"))
    assert isinstance(response, TextResponse) and json.loads(response.text) == {"page": 2}
    assert "replayed" in response.flags
    with pytest.raises(IgnoreRequest):
        answer(replay, Request("https://api.test/gtin?page=2&product_type=Displays", method="GET"))


def test_missing_request_fails_with_a_log_line_naming_the_url(tmp_path, caplog):
    write_recording(tmp_path, [({"method": "GET", "url": "https://a.test/x"}, b"[]")])
    with caplog.at_level(logging.ERROR), pytest.raises(IgnoreRequest):
        answer(ReplayMiddleware(tmp_path), Request("https://a.test/x?y=1"))
    assert "no recorded response for GET https://a.test/x?y=1" in caplog.text


def test_an_optional_request_the_recording_lacks_is_not_recorded_not_an_error(tmp_path, caplog):
    write_recording(tmp_path, [({"method": "GET", "url": "https://a.test/x"}, b"[]")])
    with caplog.at_level(logging.ERROR), pytest.raises(NotRecorded):
        answer(ReplayMiddleware(tmp_path), Request("https://a.test/token", method="POST", meta={OPTIONAL: True}))
    assert caplog.text == ""  # no error line: the run is not failed by it


def test_post_body_must_match_when_recorded(tmp_path):
    write_recording(
        tmp_path,
        [
            ({"method": "POST", "url": "https://a.test/q", "request_body": '{"q": 1}'}, b'"one"'),
            ({"method": "POST", "url": "https://a.test/q", "request_body": '{"q": 2}'}, b'"two"'),
        ],
    )
    replay = ReplayMiddleware(tmp_path)
    assert answer(replay, Request("https://a.test/q", method="POST", body='{"q": 2}')).text == '"two"'
    with pytest.raises(IgnoreRequest):
        answer(replay, Request("https://a.test/q", method="POST", body='{"q": 3}'))


def test_repeated_entries_are_served_in_order_then_the_last_repeats(tmp_path):
    write_recording(
        tmp_path,
        [
            ({"method": "GET", "url": "https://a.test/"}, b'"first"'),
            ({"method": "GET", "url": "https://a.test/"}, b'"second"'),
        ],
    )
    replay = ReplayMiddleware(tmp_path)
    assert [answer(replay, Request("https://a.test/")).text for _ in range(3)] == ['"first"', '"second"', '"second"']


def test_a_broken_index_line_is_reported_with_its_number(tmp_path):
    (tmp_path / "b").write_text("[]")
    (tmp_path / "index.jsonl").write_text('{"method": "GET", "url": "u", "status": 200, "body": "b"}\nnot json\n')
    with pytest.raises(ValueError, match="line 2"):
        ReplayIndex(tmp_path)


def test_recording_replays_and_keeps_secrets_out(tmp_path):
    recorder = RecordMiddleware(tmp_path)
    token_request = Request(
        "https://api.test/token", method="POST", body='{"username": "u", "password": "hunter2"}', meta={SECRET: True}
    )
    recorder.process_response(
        token_request,
        TextResponse(
            "https://api.test/token", body=b'{"token": "eyJ-real-token"}', headers={"Content-Type": "application/json"}
        ),
    )
    page = Request("https://api.test/gtin?page=1", method="POST", body="{}")
    recorder.process_response(
        page,
        TextResponse(
            "https://api.test/gtin?page=1",
            body=b'{"data": {"products": []}}',
            headers={"Content-Type": "application/json", "Set-Cookie": "s=1"},
        ),
    )
    recorder.index.close()
    written = "\n".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    assert "hunter2" not in written and "eyJ-real-token" not in written and "s=1" not in written
    replay = ReplayMiddleware(tmp_path)
    assert json.loads(answer(replay, Request("https://api.test/token", method="POST", body="anything")).text) == {
        "token": "REDACTED"
    }
    assert answer(replay, page).text == '{"data": {"products": []}}'
    other_password = Request(token_request.url, method="POST", body='{"username": "u", "password": "guess"}')
    names = {p.name for p in (tmp_path / "bodies").iterdir()}
    RecordMiddleware(tmp_path).process_response(
        other_password.replace(meta={SECRET: True}),
        TextResponse(token_request.url, body=b"{}", headers={"Content-Type": "application/json"}),
    )
    assert {p.name for p in (tmp_path / "bodies").iterdir()} == names  # no name an offline guess could check


@pytest.mark.parametrize(
    "body, problem",
    [
        ("../outside.json", "is outside the recording"),
        ("/etc/passwd", "is outside the recording"),
        ("bodies/link.json", "is outside the recording"),  # a symlink pointing out
        ("/dev/zero", "is outside the recording"),
        ("bodies", "is not a file in the recording"),
        ("bodies/missing.json", "is not a file in the recording"),
        (["bodies/0.json"], "body: not a path"),
    ],
)
def test_a_body_path_must_be_a_file_inside_the_recording(tmp_path, body, problem):
    recording = tmp_path / "rec"
    write_recording(recording, [({"method": "GET", "url": "https://a.test/"}, b"[]")])
    (tmp_path / "outside.json").write_text('{"secret": "outside"}')
    (recording / "bodies" / "link.json").symlink_to(tmp_path / "outside.json")
    entry = json.loads((recording / "index.jsonl").read_text())
    (recording / "index.jsonl").write_text(json.dumps({**entry, "body": body}) + "\n")
    with pytest.raises(BadRecording, match="line 1 is not a recorded response") as error:
        ReplayIndex(recording)
    assert problem in str(error.value) and 'outside"}' not in str(error.value)


def test_a_body_over_the_cap_is_refused_before_it_is_read(tmp_path):
    write_recording(tmp_path, [({"method": "GET", "url": "https://a.test/"}, b"[" + b"0," * 600 + b"0]")])
    with pytest.raises(BadRecording, match="larger than 1,000 bytes"):
        ReplayIndex(tmp_path, max_body=1000)
    assert ReplayIndex(tmp_path, max_body=2000).take("GET", "https://a.test/", "")["status"] == 200


def test_recorded_settings_carry_only_the_sources_settings(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"TCO_PRODUCT_TYPES": ["Displays"]}))
    assert recorded_settings(tmp_path) == {"TCO_PRODUCT_TYPES": ["Displays"]}
    (tmp_path / "settings.json").write_text(
        json.dumps({"TCO_PRODUCT_TYPES": [], "LABELWATCH_MONITOR_MAX_DROP": 1.0, "FEEDS": {}})
    )
    with pytest.raises(BadRecording, match="refused: FEEDS, LABELWATCH_MONITOR_MAX_DROP$"):
        recorded_settings(tmp_path)
    (tmp_path / "settings.json").write_text('["LABELWATCH_DB"]')
    with pytest.raises(BadRecording, match="expected a JSON object"):
        recorded_settings(tmp_path)
    (tmp_path / "settings.json").write_text('{"TCO_')
    with pytest.raises(BadRecording, match="not JSON"):
        recorded_settings(tmp_path)


def test_the_newest_recorded_date_is_the_day_the_replayed_data_describes(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from store.load import RECORDED_ON

    dated = [
        ("https://a.test/1", "Thu, 11 Jul 2024 09:00:00 GMT"),
        ("https://a.test/2", "Fri, 07 Aug 2026 09:00:00 GMT"),
        ("https://a.test/3", "Mon, 01 Jan 2024 09:00:00 GMT"),  # older: does not move the day back
        ("https://a.test/4", "not a date"),  # unreadable: says nothing
    ]
    write_recording(
        tmp_path, [({"method": "GET", "url": url, "headers": {"Date": [day]}}, b"[]") for url, day in dated]
    )
    stats = get_crawler(Spider).stats
    replay = ReplayMiddleware(tmp_path, stats=stats)
    for url, _ in dated:
        answer(replay, Request(url))
    assert stats.get_value(RECORDED_ON) == "2026-08-07"
    undated = ReplayMiddleware(tmp_path, stats=get_crawler(Spider).stats)
    answer(undated, Request("https://a.test/4"))
    assert undated.stats.get_value(RECORDED_ON) is None
