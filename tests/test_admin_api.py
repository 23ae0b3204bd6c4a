"""The admin API: listing stored events and kept rejections, and replaying rejections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.gateway import Gateway
from app.storage.records import EventQuery
from tests.support.gateway import ADMIN, ADMIN_TOKEN, WRITE, Clock
from tests.support.stored import count_stored_events, stored_event_ids


def send(client: FlaskClient, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.post("/v1/events", data=orjson.dumps(body),
                       headers={**WRITE, "Content-Type": "application/json", **(headers or {})})


def listing(client: FlaskClient, path: str = "/v1/events", **params: Any) -> Any:
    response = client.get(path, query_string=params, headers=ADMIN)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def seeded(client: FlaskClient, clock: Clock) -> FlaskClient:
    send(client, {"id": "1", "name": "PageView", "user": {"anonymousId": "a-1"}, "page": {"url": "https://x.test/"}})
    clock.advance(minutes=10)
    send(client, {"id": "2", "name": "Lead", "user": {"memberId": "m-1", "anonymousId": "a-1"}})
    clock.advance(minutes=10)
    send(client, {"id": "3", "name": "Lead", "user": {"email": "kim@example.com"}})
    return client


def test_admin_routes_need_the_admin_token(client: FlaskClient) -> None:
    for path in ("/v1/events", "/v1/rejections", "/v1/rejections/1"):
        for headers in ({}, WRITE, {"Authorization": "Bearer nope"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/v1/rejections/1/replay", headers=WRITE).status_code == 401


def test_events_are_listed_newest_first(seeded: FlaskClient) -> None:
    body = listing(seeded)
    assert [item["event"]["id"] for item in body["items"]] == ["3", "2", "1"]
    assert body["next"] is None


@pytest.mark.parametrize("params, ids", [
    ({"name": "Lead"}, ["3", "2"]),
    ({"user": "a-1"}, ["2", "1"]),
    ({"user": "m-1"}, ["2"]),
    ({"user": "kim@example.com"}, ["3"]),
    ({"source": "backend"}, []),
    ({"source": "web", "name": "PageView"}, ["1"]),
    ({"id": "2"}, ["2"]),
    ({"since": "2026-11-24T12:10:00Z"}, ["3", "2"]),
    ({"until": "2026-11-24T21:10:00+09:00"}, ["1"]),
])
def test_events_are_filtered(seeded: FlaskClient, params: dict[str, str], ids: list[str]) -> None:
    assert [item["event"]["id"] for item in listing(seeded, **params)["items"]] == ids


def test_events_are_paged_with_a_cursor(seeded: FlaskClient) -> None:
    first = listing(seeded, limit=2)
    assert [i["event"]["id"] for i in first["items"]] == ["3", "2"]
    second = listing(seeded, limit=2, before=first["next"])
    assert [i["event"]["id"] for i in second["items"]] == ["1"]
    assert second["next"] is None


@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"), ({"limit": "many"}, "limit"), ({"since": "yesterday"}, "since"),
    ({"colour": "red"}, "colour"), ({"before": "-3"}, "before"),
])
def test_bad_listing_parameters_are_400_naming_them(seeded: FlaskClient, params: dict[str, str], field: str) -> None:
    response = seeded.get("/v1/events", query_string=params, headers=ADMIN)
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["field"] == field
    assert error["value"] == params[field]


def test_rejection_detail_shows_the_input_without_credentials(client: FlaskClient) -> None:
    refused = send(client, {"name": "PageView"}, headers={"Cookie": "session=secret", "X-Trace": "t-1"})
    detail = client.get(f"/v1/rejections/{refused.get_json()['rejectionId']}", headers=ADMIN).get_json()
    assert detail["reason"] == "schema"
    assert detail["problems"] == [{"field": "page", "value": None, "expectation": "present: PageView events need page"}]
    assert orjson.loads(detail["body"]) == {"name": "PageView"}
    assert detail["input"]["headers"]["X-Trace"] == "t-1"
    assert "Authorization" not in detail["input"]["headers"] and "Cookie" not in detail["input"]["headers"]


def test_rejections_are_listed_and_filtered(client: FlaskClient) -> None:
    send(client, {"name": "PageView"})
    client.post("/v1/events", data=b"{", headers={**WRITE, "Content-Type": "application/json"})
    client.post("/v1/events", data=b"{}", headers={"Content-Type": "application/json"})
    assert [r["reason"] for r in listing(client, "/v1/rejections")["items"]] == ["auth", "payload", "schema"]
    assert [r["reason"] for r in listing(client, "/v1/rejections", reason="payload")["items"]] == ["payload"]
    assert [r["sourceId"] for r in listing(client, "/v1/rejections", source="web")["items"]] == ["web", "web"]


def test_unknown_rejection_is_404(client: FlaskClient) -> None:
    assert client.get("/v1/rejections/999", headers=ADMIN).status_code == 404
    assert client.post("/v1/rejections/999/replay", headers=ADMIN).status_code == 404


def test_replay_after_the_configuration_is_fixed(make_app: Any, config: dict[str, Any], clock: Clock) -> None:
    """An event refused because a setting was wrong is accepted on replay once the setting is fixed."""
    strict = make_app(limits={"max_event_bytes": 1024})
    big = {"id": "big-1", "name": "Lead", "properties": {f"p{i}": "x" * 100 for i in range(12)}}
    refused = send(strict.test_client(), big)
    assert refused.status_code == 400
    rejection_id = refused.get_json()["rejectionId"]

    clock.advance(hours=2)
    fixed = make_app()  # the same database, the default 32 KB limit
    replay = fixed.test_client().post(f"/v1/rejections/{rejection_id}/replay", headers=ADMIN)
    assert replay.status_code == 200
    assert replay.get_json()["status"] == 200
    assert replay.get_json()["result"]["stored"] == 1
    gateway: Gateway = fixed.extensions["tagway"]
    [row] = gateway.storage.list_events(EventQuery())
    assert row["event"]["receivedAt"] == "2026-11-24T12:00:00.000Z", "a replay keeps the original arrival time"
    detail = fixed.test_client().get(f"/v1/rejections/{rejection_id}", headers=ADMIN).get_json()
    assert detail["replayedAt"] == "2026-11-24T14:00:00.000Z"
    assert detail["replayResult"].startswith("accepted 1")


def test_replay_of_one_event_of_a_batch(client: FlaskClient, gateway: Gateway) -> None:
    response = send(client, {"batch": [{"id": "ok", "name": "Lead"}, {"id": "bad", "name": "PageView"}]})
    rejection_id = response.get_json()["results"][1]["rejectionId"]
    replay = client.post(f"/v1/rejections/{rejection_id}/replay", headers=ADMIN).get_json()
    assert replay["status"] == 400, "still invalid: replay refuses it again and says why"
    assert replay["result"]["errors"][0]["field"] == "page"
    assert count_stored_events(gateway.storage) == 1


def test_replay_of_an_unknown_write_key_needs_a_source(client: FlaskClient, gateway: Gateway) -> None:
    refused = client.post("/v1/events", data=orjson.dumps({"id": "k1", "name": "Lead"}), headers={
        "Authorization": "Bearer old-rotated-key-123456", "Content-Type": "application/json"})
    rejection_id = refused.get_json()["rejectionId"]
    without = client.post(f"/v1/rejections/{rejection_id}/replay", headers=ADMIN)
    assert without.status_code == 409
    assert without.get_json()["errors"][0]["field"] == "source"
    with_source = client.post(f"/v1/rejections/{rejection_id}/replay?source=web", headers=ADMIN)
    assert with_source.get_json()["result"]["stored"] == 1
    assert stored_event_ids(gateway.storage, "web") == {"k1"}


def test_truncated_input_cannot_be_replayed(client: FlaskClient) -> None:
    body = b'{"batch": [' + b" " * (600 * 1024) + b"]}"
    refused = client.post("/v1/events", data=body, headers={**WRITE, "Content-Type": "application/json"})
    replay = client.post(f"/v1/rejections/{refused.get_json()['rejectionId']}/replay", headers=ADMIN)
    assert replay.status_code == 409
    assert replay.get_json()["errors"][0]["expectation"] == "a body kept in full"


def test_wrong_admin_tokens_lock_the_address_out_even_with_the_right_one(make_app: Callable[..., Flask]) -> None:
    app = make_app(admin={"token": ADMIN_TOKEN, "lockout_failures": 3, "lockout_seconds": 60})
    attacker, operator = app.test_client(), app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    operator.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    wrong = {"Authorization": "Bearer adm_guess_0123456789abcdefghij"}
    assert [attacker.get("/v1/events", headers=wrong).status_code for _ in range(3)] == [401, 401, 401]

    locked = attacker.get("/v1/events", headers=ADMIN)
    assert locked.status_code == 429 and locked.mimetype == "application/problem+json"
    assert 0 < int(locked.headers["Retry-After"]) <= 60
    [problem] = locked.get_json()["errors"]
    assert problem["field"] == "Authorization" and problem["value"] is None
    assert "203.0.113.9" in problem["expectation"]
    assert attacker.get("/v1/deliveries", headers=ADMIN).status_code == 429  # every admin route

    assert operator.get("/v1/events", headers=ADMIN).status_code == 200  # resets nobody else's count
    assert attacker.get("/v1/events", headers=ADMIN).status_code == 429


def test_requests_without_a_credential_guess_nothing_and_count_nothing(make_app: Callable[..., Flask]) -> None:
    client = make_app(admin={"token": ADMIN_TOKEN, "lockout_failures": 2}).test_client()
    assert [client.get("/v1/events").status_code for _ in range(5)] == [401] * 5
    assert client.get("/v1/events", headers=ADMIN).status_code == 200
