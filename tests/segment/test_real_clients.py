"""Segment's Python and Node libraries and RudderStack's Python SDK, unchanged but for their host, against
`tagway serve`: every call type and a batch of 1,000 tracks, each stored exactly once as the canonical event."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import rudderstack.analytics as rudderstack
import segment.analytics as segment
from segment.analytics.request import post

from tests.segment.clients import (
    BATCH_EVENTS,
    CALL_NAMES,
    CLIENT_SOURCES,
    assert_stored_exactly_once,
    by_name,
    stored_events,
)
from tests.support.server import RunningGateway

HERE = Path(__file__).parent
ENSURE_NODE = HERE.parents[1] / "scripts" / "ensure-node"

pytestmark = pytest.mark.timeout(300)


def send_every_call(client: Any, user_id: str, anonymous_id: str) -> list[dict[str, Any]]:
    """Each call type once through a Python library's client, then the tracks; the messages it queued."""
    calls = [
        client.identify(user_id, {"email": "grace@example.com", "plan": "pro"}, anonymous_id=anonymous_id),
        client.alias(anonymous_id, user_id),
        client.group(user_id, "acme", {"name": "Acme", "employees": 42}),
        client.page(user_id, "Docs", "Install", {"url": "https://example.com/docs/install", "title": "Install"}),
        client.screen(user_id, "App", "Home", {"tab": "feed"},
                      context={"app": {"name": "Example", "version": "1.2.0"}, "os": {"name": "iOS", "version": "18"},
                               "device": {"model": "iPhone16,1", "type": "ios"}, "screen": {"width": 393}}),
        client.track(user_id, "Order Completed", {
            "order_id": f"{user_id}-order", "total": 27.5, "currency": "EUR",
            "products": [{"product_id": "p-1", "name": "Mug", "price": 13.75, "quantity": 2}]}),
        *(client.track(anonymous_id=anonymous_id, event="Song Played", properties={"index": index})
          for index in range(BATCH_EVENTS)),
    ]
    client.flush()
    return [message for _queued, message in calls]


def check_mapping(events: list[dict[str, Any]], user_id: str, anonymous_id: str) -> None:
    """The canonical events the calls must become, with the identity links the people projection reads."""
    named = by_name(events)
    assert set(CALL_NAMES.values()) | {"SongPlayed"} == set(named)
    assert sum(event["name"] == "SongPlayed" for event in events) == BATCH_EVENTS
    assert named["ProfileUpdate"]["user"] == {"anonymousId": anonymous_id, "memberId": user_id,
                                              "email": "grace@example.com",
                                              "traits": {"email": "grace@example.com", "plan": "pro"}}
    assert named["Alias"]["user"] == {"previousId": anonymous_id, "memberId": user_id}
    assert named["Group"]["properties"] == {"name": "Acme", "employees": 42, "groupId": "acme"}
    assert named["PageView"]["page"]["url"] == "https://example.com/docs/install"
    purchase = named["Purchase"]
    assert purchase["commerce"] == {"currency": "EUR", "value": 27.5, "orderId": f"{user_id}-order",
                                    "items": [{"id": "p-1", "name": "Mug", "price": 13.75, "quantity": 2}]}
    assert purchase["source"]["topic"] == "Order Completed"
    for event in events:  # the library's clock, corrected by its sentAt, is never after the arrival
        assert event["occurredAt"] <= event["receivedAt"]


@pytest.mark.parametrize("library, module", [("python", segment), ("rudderstack", rudderstack)])
def test_a_python_library_sends_every_call_and_a_batch_of_a_thousand(
        segment_gateway: RunningGateway, library: str, module: Any) -> None:
    source_id, write_key = CLIENT_SOURCES[library]
    errors: list[Any] = []
    # RudderStack's client gzips its bodies by default; Segment's sends the write key in the body, not in Basic.
    client = module.Client(write_key, host=segment_gateway.url, on_error=lambda error, batch: errors.append(error),
                           max_retries=2)
    try:
        messages = send_every_call(client, f"{library}-user", f"{library}-anon")
    finally:
        client.shutdown()
    assert errors == []
    events = assert_stored_exactly_once(segment_gateway, source_id, [m["messageId"] for m in messages])
    check_mapping(events, f"{library}-user", f"{library}-anon")
    screen = by_name(events)["ScreenView"]
    assert screen["context"]["app"] == {"name": "Example", "version": "1.2.0"}
    assert screen["context"]["os"] == {"name": "iOS", "version": "18"}
    assert screen["context"]["library"]["name"] == ("analytics-python" if library == "python" else
                                                    screen["context"]["library"]["name"])


def test_the_python_library_sending_twice_stores_once(segment_gateway: RunningGateway) -> None:
    """A retried batch (same messageIds) is acknowledged and stored once: the messageId is the event id."""
    source_id, write_key = CLIENT_SOURCES["python"]
    before = len(stored_events(segment_gateway, source_id))
    batch = [{"type": "track", "userId": "retry-user", "event": "Song Played", "messageId": f"retry-{index}",
              "timestamp": "2026-11-24T11:59:59.000+00:00"} for index in range(3)]
    first = post(write_key, segment_gateway.url, batch=batch)
    second = post(write_key, segment_gateway.url, batch=batch)
    assert first.json() == {"success": True, "accepted": 3, "stored": 3, "duplicates": 0, "rejected": 0}
    assert second.json() == {"success": True, "accepted": 3, "stored": 0, "duplicates": 3, "rejected": 0}
    after = stored_events(segment_gateway, source_id)
    assert len(after) == before + 3


def test_the_node_library_sends_every_call_and_a_batch_of_a_thousand(segment_gateway: RunningGateway) -> None:
    ready = subprocess.run([str(ENSURE_NODE), str(HERE)], capture_output=True, text=True, check=False)
    assert ready.returncode == 0, ready.stderr
    source_id, write_key = CLIENT_SOURCES["node"]
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run([node, str(HERE / "send.js"), segment_gateway.url, write_key, str(BATCH_EVENTS)],
                          capture_output=True, text=True, check=False, cwd=HERE, timeout=240)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["statuses"]) == {200}
    assert len(report["sent"]) == BATCH_EVENTS + len(CALL_NAMES)
    events = assert_stored_exactly_once(segment_gateway, source_id, report["sent"])
    check_mapping(events, "node-user-1", "node-anon-1")
    screen = by_name(events)["ScreenView"]["context"]
    assert screen["device"] == {"manufacturer": "Google", "model": "Pixel 8", "type": "android"}
    assert screen["screen"] == {"width": 1080, "height": 2400, "density": 2.625}
    assert screen["library"]["name"] == "@segment/analytics-node"
