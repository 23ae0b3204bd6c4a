"""POST /v1/events through the real route: what a sender sees, and what ends up stored."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from flask.testing import FlaskClient

from adapters.times import parse_time
from app.gateway import Gateway
from app.storage.records import EventQuery, RejectionQuery
from tests.support.gateway import ADMIN, WRITE, WRITE_KEY
from tests.support.stored import count_stored_events

PAGE_VIEW = {"name": "PageView", "user": {"anonymousId": "anon-1"},
             "page": {"url": "https://shop.example.com/a?utm_source=ad&gclid=x#top", "title": "A"}}


def post(client: FlaskClient, body: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post("/v1/events", data=data, headers={**WRITE, "Content-Type": "application/json",
                                                         **(headers or {})}, **kwargs)


def stored(gateway: Gateway) -> list[dict[str, Any]]:
    return [row["event"] for row in reversed(gateway.storage.list_events(EventQuery(limit=500)))]


def test_one_event_is_stored_normalized_and_acknowledged(client: FlaskClient, gateway: Gateway) -> None:
    response = post(client, {**PAGE_VIEW, "id": "e-1"}, headers={"User-Agent": "Mozilla/5.0 test"})
    assert response.status_code == 200
    assert response.get_json() == {"accepted": 1, "stored": 1, "duplicates": 0, "rejected": 0,
                                   "results": [{"index": 0, "id": "e-1", "status": "stored"}]}
    [event] = stored(gateway)
    assert event == {
        "id": "e-1", "name": "PageView", "occurredAt": "2026-11-24T12:00:00.000Z",
        "receivedAt": "2026-11-24T12:00:00.000Z", "source": {"id": "web", "adapter": "canonical"},
        "user": {"anonymousId": "anon-1"},
        "page": {"url": "https://shop.example.com/a?utm_source=ad&gclid=x#top", "title": "A",
                 "canonicalUrl": "https://shop.example.com/a", "path": "/a"},
        "context": {"campaign": {"source": "ad"}, "ip": "127.0.0.1", "userAgent": "Mozilla/5.0 test"},
    }


def test_missing_id_is_generated(client: FlaskClient, gateway: Gateway) -> None:
    response = post(client, PAGE_VIEW)
    generated = response.get_json()["results"][0]["id"]
    assert len(generated) == 36
    assert stored(gateway)[0]["id"] == generated


def test_same_event_twice_is_stored_once_and_acknowledged_both_times(client: FlaskClient, gateway: Gateway) -> None:
    first = post(client, {**PAGE_VIEW, "id": "dup-1"})
    second = post(client, {**PAGE_VIEW, "id": "dup-1"})
    assert first.status_code == second.status_code == 200
    assert second.get_json()["results"] == [{"index": 0, "id": "dup-1", "status": "duplicate"}]
    assert count_stored_events(gateway.storage) == 1


def test_the_same_id_from_two_sources_is_two_events(client: FlaskClient, gateway: Gateway) -> None:
    from tests.support.gateway import OTHER_WRITE_KEY

    post(client, {**PAGE_VIEW, "id": "shared"})
    post(client, {**PAGE_VIEW, "id": "shared"}, headers={"Authorization": f"Bearer {OTHER_WRITE_KEY}"})
    assert sorted(e["source"]["id"] for e in stored(gateway)) == ["backend", "web"]


def test_clock_skew_is_corrected_from_sent_at(client: FlaskClient, gateway: Gateway) -> None:
    # The client's clock is one hour ahead: it says it sent at 13:00:10 an event of 13:00:00.
    post(client, {**PAGE_VIEW, "occurredAt": "2026-11-24T13:00:00.000Z", "sentAt": "2026-11-24T13:00:10.000Z"})
    assert stored(gateway)[0]["occurredAt"] == "2026-11-24T11:59:50.000Z"


def test_occurred_at_is_stored_in_the_canonical_form_whatever_rfc_3339_form_it_came_in(
        client: FlaskClient, gateway: Gateway) -> None:
    forms = {"canonical": "2026-11-24T10:00:00.120Z", "offset": "2026-11-24T19:00:00.12+09:00",
             "lower": "2026-11-24t10:00:00.120z", "space": "2026-11-24 10:00:00.120Z"}
    post(client, {"batch": [{**PAGE_VIEW, "id": form, "occurredAt": given} for form, given in forms.items()]})
    assert {e["id"]: e["occurredAt"] for e in stored(gateway)} == dict.fromkeys(forms, "2026-11-24T10:00:00.120Z")


def test_each_batch_corrects_its_clock_by_its_own_sent_at(client: FlaskClient, gateway: Gateway) -> None:
    # Two batches of one client, a minute apart: each batch's sentAt (read once for its events) is its own.
    for number, sent in enumerate(("2026-11-24T13:00:10.000Z", "2026-11-24T13:01:10.000Z")):
        post(client, {"sentAt": sent, "batch": [
            {**PAGE_VIEW, "id": f"{number}-{index}", "occurredAt": f"2026-11-24T13:00:0{index}.000Z"}
            for index in range(2)]})
    received = {e["id"]: (e["receivedAt"], e["occurredAt"]) for e in stored(gateway)}
    delays = {event_id: parse_time(at) - parse_time(occurred) for event_id, (at, occurred) in received.items()}
    assert {event_id: delay.total_seconds() for event_id, delay in delays.items()} == {
        "0-0": 10, "0-1": 9, "1-0": 70, "1-1": 69}


def test_batch_events_succeed_or_fail_on_their_own(client: FlaskClient, gateway: Gateway) -> None:
    batch = {"batch": [
        {**PAGE_VIEW, "id": "b-1"},
        {"id": "b-2", "name": "Purchase", "commerce": {"currency": "USD", "value": 10}},
        {"id": "b-3", "name": "not a name!"},
        {"id": "b-4", "name": "Lead", "properties": {"value": 99}},
    ]}
    response = post(client, batch)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["accepted"], body["stored"], body["rejected"]) == (2, 2, 2)
    assert [r["status"] for r in body["results"]] == ["stored", "rejected", "rejected", "stored"]
    assert body["results"][1]["errors"] == [{"field": "batch[1].commerce.orderId", "value": None,
                                             "expectation": "present: Purchase events need orderId"}]
    assert body["results"][2]["errors"][0]["field"] == "batch[2].name"
    assert body["results"][2]["errors"][0]["value"] == "not a name!"
    assert [e["id"] for e in stored(gateway)] == ["b-1", "b-4"]
    kept = gateway.storage.list_rejections(RejectionQuery())
    assert sorted(r["eventIndex"] for r in kept) == [1, 2]
    assert {orjson.loads(r["eventBody"])["id"] for r in kept} == {"b-2", "b-3"}


def test_the_raw_request_is_kept_when_something_of_it_was_refused(client: FlaskClient, gateway: Gateway) -> None:
    assert post(client, {**PAGE_VIEW, "id": "whole"}).status_code == 200
    [accepted] = gateway.storage.list_events(EventQuery())
    assert accepted["inputId"] is None, "of an input accepted whole, the events are what is kept"
    batch = {"batch": [{**PAGE_VIEW, "id": "part"}, {"id": "bad", "name": "not a name!"}]}
    assert post(client, batch).status_code == 200
    newest = gateway.storage.list_events(EventQuery())[0]
    [rejection] = gateway.storage.list_rejections(RejectionQuery())
    assert newest["event"]["id"] == "part" and newest["inputId"] == rejection["inputId"] is not None
    kept = gateway.storage.get_input(rejection["inputId"])
    assert kept is not None and orjson.loads(kept["body"]) == batch, "kept to show and replay the refused one"


def test_every_raw_request_is_kept_when_configured(make_app: Any, config: dict[str, Any]) -> None:
    app = make_app(storage={**config["storage"], "keep_accepted_inputs": True})
    assert post(app.test_client(), {**PAGE_VIEW, "id": "kept"}).status_code == 200
    storage = app.extensions["tagway"].storage
    [accepted] = storage.list_events(EventQuery())
    kept = storage.get_input(accepted["inputId"])
    assert kept is not None and orjson.loads(kept["body"])["id"] == "kept"
    assert "Authorization" not in kept["headers"], "credentials are never kept"


def test_batch_where_every_event_fails_is_answered_per_event(client: FlaskClient, gateway: Gateway) -> None:
    response = post(client, {"batch": [{"name": "1bad"}, {"name": "PageView"}]})
    assert response.status_code == 200, "a batch is an envelope: each event is answered on its own"
    body = response.get_json()
    assert (body["accepted"], body["rejected"]) == (0, 2)
    assert [r["errors"][0]["field"] for r in body["results"]] == ["batch[0].name", "batch[1].page"]
    assert body["results"][1]["errors"][0]["expectation"] == "present: PageView events need page"
    assert len(gateway.storage.list_rejections(RejectionQuery())) == 2


def test_single_invalid_event_is_a_400_with_field_value_expectation(client: FlaskClient, gateway: Gateway) -> None:
    response = post(client, {"name": "AddToCart", "commerce": {"currency": "usd", "value": "12.00", "items": []}})
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.get_json()["errors"]}
    assert errors["commerce.currency"]["value"] == "usd"
    assert "ISO 4217" in errors["commerce.currency"]["expectation"]
    assert errors["commerce.value"]["value"] == "12.00"
    assert "decimal number" in errors["commerce.value"]["expectation"]
    assert errors["commerce.items"]["expectation"] == "a list of at least 1 items"
    rejection = gateway.storage.get_rejection(response.get_json()["rejectionId"])
    assert rejection is not None and rejection["reason"] == "schema"


@pytest.mark.parametrize("field", ["occurredAt", "sentAt"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_beyond_the_calendar_in_utc_is_a_400_naming_it(client: FlaskClient, field: str, moment: str) -> None:
    times = {"occurredAt": "2026-11-24T12:00:00.000Z", field: moment}
    response = post(client, {**PAGE_VIEW, **times})
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert (error["field"], error["value"]) == (field, moment)


def test_unknown_fields_are_named_with_what_is_allowed(client: FlaskClient) -> None:
    response = post(client, {**PAGE_VIEW, "userId": "u1"})
    [error] = response.get_json()["errors"]
    assert error["field"] == "userId"
    assert error["expectation"].startswith("no such field; allowed here: commerce, context, id, name")


def test_string_properties_are_limited_in_utf8_bytes(client: FlaskClient) -> None:
    korean = "가" * 200  # 200 characters, 600 UTF-8 bytes
    response = post(client, {**PAGE_VIEW, "properties": {"note": korean}})
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert (error["field"], error["expectation"]) == ("properties.note", "a string of at most 512 UTF-8 bytes")


def test_list_properties_are_limited_to_4_kb(client: FlaskClient) -> None:
    response = post(client, {**PAGE_VIEW, "properties": {"skus": ["x" * 100] * 50}})
    [error] = response.get_json()["errors"]
    assert error["field"] == "properties.skus" and "4096 bytes" in error["expectation"]


def test_event_larger_than_32_kb_is_refused(client: FlaskClient) -> None:
    properties = {f"p{i}": "x" * 500 for i in range(80)}
    response = post(client, {**PAGE_VIEW, "properties": properties})
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["field"] == "event" and error["expectation"] == "an event of at most 32768 bytes as JSON"


def test_batch_of_more_than_500_events_is_413(client: FlaskClient, gateway: Gateway) -> None:
    response = post(client, {"batch": [{"name": "Lead"}] * 501})
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["expectation"] == "at most 500 events per request"
    assert count_stored_events(gateway.storage) == 0


def test_body_over_512_kb_is_413_and_its_beginning_is_kept(client: FlaskClient, gateway: Gateway) -> None:
    body = b'{"batch": [' + b" " * (600 * 1024) + b"]}"
    response = post(client, body)
    assert response.status_code == 413
    kept = client.get(f"/v1/rejections/{response.get_json()['rejectionId']}", headers=ADMIN).get_json()
    assert kept["reason"] == "too_large"
    assert kept["bodySize"] == len(body)
    assert len(kept["body"]) == 64 * 1024


@pytest.mark.parametrize("body, expectation", [
    (b"\xff\xfe{}", "UTF-8 encoded text"),
    (b'{"name": "PageView",', "valid JSON (RFC 8259)"),
    (b'{"name": NaN}', "valid JSON (RFC 8259)"),
    (b"[" * 40 + b"]" * 40, "JSON nested at most 32 levels deep"),
    (b'"just a string"', 'a JSON object: one event, or {"batch": [event, ...]}'),
    (b'{"batch": {}}', "a list of 1 or more events"),
    (b'{"batch": [], "extra": 1}', "no such field in a batch"),
])
def test_malformed_bodies_are_400_never_500(client: FlaskClient, gateway: Gateway, body: bytes,
                                            expectation: str) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["expectation"].startswith(expectation)
    assert gateway.storage.get_rejection(response.get_json()["rejectionId"]) is not None


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    response = post(client, PAGE_VIEW, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.get_json()["errors"][0]["field"] == "Content-Type"


def test_text_plain_is_accepted_for_beacons(client: FlaskClient) -> None:
    assert post(client, PAGE_VIEW, headers={"Content-Type": "text/plain;charset=UTF-8"}).status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key-0123456789", "Basic !!!", f"Token {WRITE_KEY}"])
def test_missing_or_wrong_write_key_is_401_and_kept_without_the_key(client: FlaskClient, gateway: Gateway,
                                                                     authorization: str | None) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    response = client.post("/v1/events", data=orjson.dumps(PAGE_VIEW), headers=headers)
    assert response.status_code == 401
    rejection = gateway.storage.get_rejection(response.get_json()["rejectionId"])
    assert rejection is not None and rejection["reason"] == "auth"
    assert "Authorization" not in rejection["input"]["headers"]
    assert WRITE_KEY not in response.get_data(as_text=True)


def test_basic_auth_with_the_write_key_as_user_name(client: FlaskClient) -> None:
    token = base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    assert post(client, PAGE_VIEW, headers={"Authorization": f"Basic {token}"}).status_code == 200


def test_rate_limit_per_source_is_429_with_retry_after(make_app: Any, config: dict[str, Any]) -> None:
    sources = [{**config["sources"][0], "rate_limit": "2/minute"}]
    client = make_app(sources=sources).test_client()
    statuses = [post(client, PAGE_VIEW).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = post(client, PAGE_VIEW)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["type"] == "urn:tagway:problem:rate-limited"


def test_locked_database_is_503_with_retry_after(make_app: Any, config: dict[str, Any]) -> None:
    import sqlite3
    app = make_app(storage={**config["storage"], "busy_timeout_ms": 50})
    gateway: Gateway = app.extensions["tagway"]
    blocker = sqlite3.connect(gateway.storage.path, isolation_level=None)  # another program holds the database
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = post(app.test_client(), PAGE_VIEW)
    finally:
        blocker.execute("ROLLBACK")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert count_stored_events(gateway.storage) == 0


def test_ip_addresses_are_anonymized_when_configured(make_app: Any) -> None:
    app = make_app(privacy={"anonymize_ip": True})
    post(app.test_client(), PAGE_VIEW, environ_base={"REMOTE_ADDR": "203.0.113.77"})
    post(app.test_client(), {**PAGE_VIEW, "context": {"ip": "2001:db8:85a3:1:2:3:4:5"}})
    ips = [e["context"]["ip"] for e in stored(app.extensions["tagway"])]
    assert ips == ["203.0.113.0", "2001:db8:85a3::"]


def test_client_ip_comes_from_the_trusted_proxy_header(make_app: Any) -> None:
    app = make_app(server={"trusted_proxies": 1})
    post(app.test_client(), PAGE_VIEW, headers={"X-Forwarded-For": "198.51.100.7"})
    assert stored(app.extensions["tagway"])[0]["context"]["ip"] == "198.51.100.7"


def test_get_on_a_webhook_url_is_405_problem(client: FlaskClient) -> None:
    response = client.get("/v1/webhooks/backend")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.mimetype == "application/problem+json"


def test_unknown_webhook_source_is_404_and_kept(client: FlaskClient, gateway: Gateway) -> None:
    response = client.post("/v1/webhooks/shopfy", data=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 404
    [error] = response.get_json()["errors"]
    assert (error["field"], error["value"]) == ("source", "shopfy")
    assert "backend, web" in error["expectation"]
    assert gateway.storage.get_rejection(response.get_json()["rejectionId"])["reason"] == "not_found"
