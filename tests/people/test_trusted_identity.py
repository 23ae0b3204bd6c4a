"""A source whose `trusted_identity` is set (Segment identify/alias from a server) links its member and previous ids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from adapters.testing import Clock
from app.config.model import PeopleSettings, SourceConfig
from app.projections import ProjectionRunner
from app.projections.people import PeopleProjection, Trust
from app.projections.people.queries import People
from app.registry import discover_adapters
from app.sources.catalog import SourceCatalog
from app.storage.records import EventRecord
from tests.people.support import shop


def _event(event_id: str, source: str, user: dict[str, Any]) -> dict[str, Any]:
    at = "2026-11-24T12:00:00.000Z"
    return {"id": event_id, "name": "Identify", "occurredAt": at, "receivedAt": at,
            "source": {"id": source, "adapter": "gtm"}, "user": user}


def test_identify_and_alias_link_only_from_a_source_trusted_for_identity(database_url: str, tmp_path: Path) -> None:
    site = shop(database_url, tmp_path, Clock())
    # The Segment-spec adapter is built in parallel: its sources are browser-like unless trusted_identity is set.
    sources = SourceCatalog({
        "segment-server": SourceConfig("segment-server", "gtm", settings={"trusted_identity": True}),
        "segment-browser": SourceConfig("segment-browser", "gtm", settings={}),
    })
    settings = PeopleSettings()
    runner = ProjectionRunner(site.gateway.storage,
                              [PeopleProjection(Trust(discover_adapters(), sources, settings), settings)],
                              lambda: datetime.now(UTC))
    events = [
        _event("1", "segment-server", {"anonymousId": "ajs-1", "memberId": "user-1"}),  # identify
        _event("2", "segment-server", {"memberId": "user-1", "previousId": "old-device"}),  # alias
        _event("3", "segment-browser", {"anonymousId": "ajs-2", "memberId": "user-1"}),  # a browser's claim
    ]
    site.gateway.storage.store(None, [EventRecord(e, orjson.dumps(e)) for e in events])
    runner.catch_up("people", runner.newest_seq())
    people = People(site.gateway.storage)
    [member] = people.find("user-1")
    assert people.find("ajs-1") == people.find("old-device") == [member]
    assert people.find("ajs-2") != [member]
