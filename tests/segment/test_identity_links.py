"""Segment identify and alias calls become identity links the people projection believes from a trusted source only."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

from app.config.model import PeopleSettings
from app.projections import ProjectionRunner
from app.projections.people import PeopleProjection, Trust
from app.projections.people.queries import People
from app.registry import discover_adapters
from tests.support.gateway import FROZEN_NOW, Clock, base_config, build_app

SERVER_KEY = "wk_segment_server_0123456789abcdef"
APP_KEY = "wk_segment_app_0123456789abcdefgh"


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_identify_and_alias_link_ids_only_from_a_trusted_source(tmp_path: Path) -> None:
    config = base_config(tmp_path / "people.db")
    config["sources"] += [
        {"id": "server", "adapter": "segment", "write_key": SERVER_KEY, "trusted_identity": True},
        {"id": "mobile", "adapter": "segment", "write_key": APP_KEY},  # a key shipped in an app: not trusted
    ]
    app = build_app(config, Clock(FROZEN_NOW))
    client = app.test_client()
    calls = [
        (SERVER_KEY, "/v1/identify", {"userId": "member-7", "anonymousId": "device-a", "messageId": "i-1"}),
        (SERVER_KEY, "/v1/alias", {"userId": "member-7", "previousId": "old-device", "messageId": "a-1"}),
        (APP_KEY, "/v1/identify", {"userId": "member-7", "anonymousId": "device-b", "messageId": "i-2"}),
    ]
    for key, path, body in calls:
        assert client.post(path, json=body, headers=basic(key)).status_code == 200
    gateway = app.extensions["tagway"]
    settings = PeopleSettings()
    runner = ProjectionRunner(gateway.storage,
                              [PeopleProjection(Trust(discover_adapters(), gateway.sources, settings), settings)],
                              lambda: datetime.now(UTC))
    runner.catch_up("people", runner.newest_seq())
    people = People(gateway.storage)
    [member] = people.find("member-7")
    assert people.find("device-a") == people.find("old-device") == [member]
    assert people.find("device-b") != [member], "an app's identify claims nothing"
