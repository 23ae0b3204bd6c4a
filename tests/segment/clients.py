"""What the real-client tests share: the sources, every call type, and reading back what the gateway stored."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.gateway import ADMIN
from tests.support.server import RunningGateway

CLIENT_SOURCES = {
    "python": ("segment-python", "wk_segment_python_0123456789abcdef"),
    "node": ("segment-node", "wk_segment_node_0123456789abcdefgh"),
    "rudderstack": ("rudderstack-python", "wk_rudderstack_python_0123456789ab"),
}
"""Client library → (source id, write key)."""
BATCH_EVENTS = 1000
"""The issue's batch: a thousand track calls, which the libraries split into requests of their own size."""
CALL_NAMES = {"identify": "ProfileUpdate", "alias": "Alias", "group": "Group", "page": "PageView",
              "screen": "ScreenView", "track": "Purchase"}
"""Each Segment call the clients make, and the canonical event it must become."""


def stored_events(gateway: RunningGateway, source_id: str) -> list[dict[str, Any]]:
    """Every event stored for a source, through the admin API (page after page)."""
    events: list[dict[str, Any]] = []
    before: int | None = None
    while True:
        params: dict[str, Any] = {"source": source_id, "limit": 500, **({"before": before} if before else {})}
        page = requests.get(f"{gateway.url}/v1/events", params=params, headers=ADMIN, timeout=30).json()
        events += [row["event"] for row in page["items"]]
        if page["next"] is None:
            return events
        before = page["next"]


def rejections(gateway: RunningGateway, source_id: str) -> list[dict[str, Any]]:
    """The refused inputs kept for a source."""
    page = requests.get(f"{gateway.url}/v1/rejections", params={"source": source_id, "limit": 500}, headers=ADMIN,
                        timeout=30).json()
    return list(page["items"])


def assert_stored_exactly_once(gateway: RunningGateway, source_id: str, sent_ids: list[str]) -> list[dict[str, Any]]:
    """Every call sent is stored, once, and nothing else; no input of the source was refused."""
    events = stored_events(gateway, source_id)
    ids = [event["id"] for event in events]
    assert len(ids) == len(set(ids)), "an event stored twice"
    assert sorted(ids) == sorted(sent_ids)
    assert rejections(gateway, source_id) == []
    return events


def by_name(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The events by canonical name (the last one of each)."""
    return {event["name"]: event for event in events}
