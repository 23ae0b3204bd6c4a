"""Live events over the Flask test client: the newest rows, the stream, its cursor, filters and limits."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from flask import Flask

from app.console.feed import LiveCursor, LiveFeed, LiveFilters
from app.console.present import Scrubber
from app.gateway import Gateway
from tests.console.conftest import GTM_WRITE_KEY, Console
from tests.support.gateway import WRITE, WRITE_KEY

PAGE_VIEW = {"name": "PageView", "page": {"url": "https://shop.example.com/shoes?utm_source=mail"},
             "user": {"anonymousId": "visitor-1"}}
LEAD = {"name": "Lead", "user": {"email": "ana@example.com"}}
BAD_PURCHASE = {"name": "Purchase", "user": {"anonymousId": "visitor-1"}, "commerce": {"currency": "USD"}}


def send(console: Console, event: dict[str, Any], key: str = WRITE_KEY) -> int:
    return console.client.post("/v1/events", json=event, headers={"Authorization": f"Bearer {key}"}).status_code


def stream(console: Console, query: str = "", **headers: str) -> list[dict[str, Any]]:
    """The frames of one stream response: each a dict of its fields (data parsed, comments listed)."""
    response = console.get("/console/api/live/stream" + query, headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    frames = []
    for block in response.text.split("\n\n"):
        if not block:
            continue
        frame: dict[str, Any] = {"comments": []}
        for line in block.split("\n"):
            field, _, value = line.partition(": ") if not line.startswith("retry:") else line.partition(":")
            if field == "":
                frame["comments"].append(value)
            elif field == "data":
                frame["data"] = orjson.loads(value)
            else:
                frame[field] = value.strip()
        frames.append(frame)
    return frames


def rows_of(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows a stream sent (its `message` events)."""
    return [frame["data"] for frame in frames if "data" in frame and "event" not in frame]


@pytest.fixture
def short_streams(app: Flask) -> None:
    app.config["TAGWAY_CONSOLE_STREAM_SECONDS"] = 0.6


def test_recent_lists_events_and_rejections_newest_first_with_a_cursor(console: Console) -> None:
    assert send(console, PAGE_VIEW) == 200
    assert send(console, BAD_PURCHASE) == 400
    assert send(console, LEAD) == 200
    body = console.get("/console/api/live/recent").get_json()
    assert [(row["kind"], row.get("name")) for row in body["rows"]] == [
        ("event", "Lead"), ("rejection", "Purchase"), ("event", "PageView")]
    assert body["cursor"] == "2-1"
    page_view = body["rows"][2]
    assert page_view["summary"] == "https://shop.example.com/shoes" and page_view["user"] == "visitor-1"
    assert page_view["href"] == "/console/events/1"
    rejection = body["rows"][1]
    assert rejection["reasonText"] == "The event does not match the canonical event"
    assert rejection["summary"].startswith("commerce.") and rejection["href"] == "/console/rejections/1"


def test_recent_filters_by_source_name_and_user(console: Console) -> None:
    send(console, PAGE_VIEW)
    send(console, LEAD)
    send(console, BAD_PURCHASE)
    send(console, {"name": "Lead"}, key="wrong-key-0123456789abcdef")  # refused before any source is known

    def keys(query: str) -> list[str]:
        return [row["key"] for row in console.get("/console/api/live/recent" + query).get_json()["rows"]]

    assert keys("") == ["r2", "r1", "e2", "e1"]
    assert keys("?name=Lead") == ["e2"]
    assert keys("?name=Purchase") == ["r1"]  # the refused event carried the name
    assert keys("?user=visitor-1") == ["r1", "e1"]
    assert keys("?user=ana@example.com") == ["e2"]
    assert keys("?source=web") == ["r1", "e2", "e1"]
    assert keys("?source=gtm") == []


def test_a_rejection_for_a_wrong_write_key_is_listed_with_a_plain_reason(console: Console) -> None:
    send(console, LEAD, key="wk_not_a_key_0123456789abcdef")
    row = console.get("/console/api/live/recent").get_json()["rows"][0]
    assert row["kind"] == "rejection" and row["source"] is None
    assert row["reasonText"] == "Missing or wrong write key"


def test_the_stream_sends_what_arrived_after_the_cursor(console: Console, short_streams: None) -> None:
    send(console, PAGE_VIEW)
    cursor = console.get("/console/api/live/recent").get_json()["cursor"]
    send(console, LEAD)
    send(console, BAD_PURCHASE)
    frames = stream(console, f"?after={cursor}")
    rows = rows_of(frames)
    assert [(row["kind"], row.get("name")) for row in rows] == [("event", "Lead"), ("rejection", "Purchase")]
    assert [frame.get("id") for frame in frames if "data" in frame and "event" not in frame] == [None, "2-1"]
    assert frames[0]["retry"] == "1000"
    assert frames[-1]["event"] == "reconnect"  # the page knows the reconnection that follows is planned


def test_last_event_id_resumes_after_what_the_browser_has(console: Console, short_streams: None) -> None:
    send(console, PAGE_VIEW)
    send(console, LEAD)
    frames = stream(console, "?after=0-0", **{"Last-Event-ID": "1-0"})
    assert [row["key"] for row in rows_of(frames)] == ["e2"]


def test_without_a_cursor_the_stream_starts_with_what_comes_next(console: Console, short_streams: None) -> None:
    send(console, PAGE_VIEW)
    assert rows_of(stream(console)) == []


def test_rows_filtered_out_still_move_the_cursor(console: Console, short_streams: None) -> None:
    send(console, PAGE_VIEW)
    frames = stream(console, "?after=0-0&name=Lead")
    assert rows_of(frames) == []
    assert [frame["id"] for frame in frames if "id" in frame] == ["1-0"]


def test_a_quiet_stream_sends_heartbeats(console: Console, app: Flask) -> None:
    app.config["TAGWAY_CONSOLE_STREAM_SECONDS"] = 2.6
    frames = stream(console, "?after=0-0")
    assert any("heartbeat" in frame["comments"] for frame in frames)


def test_without_a_free_stream_slot_the_stream_answers_at_once_and_polls(console: Console, make_app: Any) -> None:
    # One sync worker: holding it for a stream would stop ingestion, so the browser polls every 2 s instead.
    app = make_app(server={"public_url": "https://gateway.example.com", "workers": 1})
    client = app.test_client()
    from tests.console.conftest import sign_in

    sign_in(client)
    assert client.post("/v1/events", json=PAGE_VIEW, headers=WRITE).status_code == 200
    text = client.get("/console/api/live/stream?after=0-0").text
    assert '"key":"e1"' in text
    assert text.rstrip().split("\n\n")[-1] == "event: reconnect\nretry: 2000\ndata: {}"


def test_secrets_sent_in_an_event_are_not_shown(console: Console) -> None:
    send(console, {"name": "Lead", "properties": {"note": f"my key is {GTM_WRITE_KEY}"}})
    row = console.get("/console/api/live/recent").get_json()["rows"][0]
    assert GTM_WRITE_KEY not in json.dumps(row)
    assert "[redacted]" in row["summary"]


def test_a_row_committed_late_under_a_lower_number_is_still_sent(app: Flask, gateway: Gateway) -> None:
    # PostgreSQL numbers rows before they commit: seq 3 can become visible after seq 4.
    storage = gateway.storage

    def insert(seq: int) -> None:
        body = orjson.dumps({"id": f"e{seq}", "name": "Lead", "source": {"id": "web", "adapter": "canonical"},
                             "receivedAt": "2026-11-24T12:00:00.000Z", "occurredAt": "2026-11-24T12:00:00.000Z"})
        with storage.transaction(write=True) as connection:
            connection.execute(storage.sql(
                "INSERT INTO events (seq, source_id, event_id, name, occurred_at, received_at, body) "
                "VALUES (?, 'web', ?, 'Lead', '2026-11-24T12:00:00.000Z', '2026-11-24T12:00:00.000Z', ?)"),
                (seq, f"e{seq}", body.decode()))

    feed = LiveFeed(storage, LiveFilters(), Scrubber(gateway.secrets()), LiveCursor(2, 0))
    insert(4)
    assert [row["seq"] for row in feed.poll()] == [4]
    insert(3)
    assert [row["seq"] for row in feed.poll()] == [3]
    assert feed.poll() == []
    assert str(feed.cursor) == "4-0"
