"""U+0000, which PostgreSQL's text cannot hold: stored as U+FFFD on both engines, never a 500 or a lost input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.storage.records import EventQuery
from tests.support.gateway import ADMIN, WRITE, base_config, build_app


def gateway_on(database_url: str, tmp_path: Path) -> Any:
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database_url}
    return build_app(config)


def test_nul_in_ids_and_text_is_stored_as_a_replacement_character(database_url: str, tmp_path: Path) -> None:
    app = gateway_on(database_url, tmp_path)
    client = app.test_client()
    event = {"id": "order\u0000-1", "name": "Lead", "user": {"anonymousId": "a\u0000b"},
             "properties": {"note\u0000": "x\u0000y"}}
    first = client.post("/v1/events", json=event, headers=WRITE)
    assert first.status_code == 200 and first.get_json()["stored"] == 1
    again = client.post("/v1/events", json=event, headers=WRITE)
    assert again.get_json()["duplicates"] == 1, "a retry of the same event is still stored once"
    [row] = app.extensions["tagway"].storage.list_events(EventQuery(limit=10))
    stored = row["event"]
    assert stored["id"] == "order\ufffd-1" and stored["user"]["anonymousId"] == "a\ufffdb"
    assert stored["properties"] == {"note\ufffd": "x\ufffdy"}


def test_a_refusal_naming_a_nul_is_kept(database_url: str, tmp_path: Path) -> None:
    app = gateway_on(database_url, tmp_path)
    client = app.test_client()
    response = client.post("/v1/webhooks/shop%00x", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    problem = response.get_json()
    assert problem["errors"][0]["value"] == "shop\\u0000x"
    kept = client.get(f"/v1/rejections/{problem['rejectionId']}", headers=ADMIN).get_json()
    assert kept["input"]["path"] == "/v1/webhooks/shop\ufffdx"
