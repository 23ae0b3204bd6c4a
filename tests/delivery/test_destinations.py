"""Destinations against a real local receiver (webhook), files (jsonl) and Channel Talk's documented Open API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests_mock
from standardwebhooks.webhooks import Webhook

from app.config.model import DestinationConfig
from app.delivery.destinations import build_destination
from app.delivery.destinations.channel import channel_property
from app.delivery.destinations.webhook import message_id
from tests.support.gateway import SIGNING_SECRET
from tests.support.receiver import Receiver


def event(event_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": event_id, "name": "Purchase", "occurredAt": "2026-11-24T12:00:00.000Z",
            "receivedAt": "2026-11-24T12:00:00.000Z", "source": {"id": "shop", "adapter": "shopify"}, **extra}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def webhook(url: str, **overrides: Any) -> Any:
    settings = {"url": url + "/hooks", "secret": SIGNING_SECRET}
    return build_destination(DestinationConfig(id="hook", type="webhook", settings=settings, **overrides))


def test_webhook_posts_one_signed_event_with_its_id_as_idempotency_key(receiver: Receiver) -> None:
    [attempt] = webhook(receiver.url).deliver([event("e-1")])
    assert attempt.result == "delivered"
    [request] = receiver.received
    assert request.headers["webhook-id"] == request.headers["Idempotency-Key"] == "shop/e-1"
    Webhook(SIGNING_SECRET).verify(request.body, request.headers)  # raises if the signature is wrong
    assert request.json()["type"] == "tagway.event" and request.events() == [event("e-1")]


def test_webhook_batches_events(receiver: Receiver) -> None:
    events = [event(f"e-{n}") for n in range(3)]
    attempts = webhook(receiver.url, batch_size=3).deliver(events)
    assert [a.result for a in attempts] == ["delivered"] * 3
    [request] = receiver.received
    assert request.json()["type"] == "tagway.events" and request.events() == events
    assert request.headers["webhook-id"] == message_id(events) != message_id(events[:2])


@pytest.mark.parametrize("status, headers, result, retry_after", [
    (500, {}, "retry", None), (503, {"Retry-After": "7"}, "retry", 7.0), (429, {"Retry-After": "30"}, "retry", 30.0),
    (408, {}, "retry", None), (400, {}, "failed", None), (404, {}, "failed", None), (410, {}, "failed", None),
])
def test_webhook_answers_decide_retry_or_final(receiver: Receiver, status: int, headers: dict[str, str], result: str,
                                               retry_after: float | None) -> None:
    receiver.answers.append((status, headers))
    [attempt] = webhook(receiver.url).deliver([event("e-1")])
    assert (attempt.result, attempt.retry_after) == (result, retry_after)
    assert str(status) in str(attempt.error)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_webhook_redirects_are_not_followed_and_name_their_location(receiver: Receiver, status: int) -> None:
    elsewhere = Receiver()
    try:
        receiver.answers.append((status, {"Location": elsewhere.url + "/internal"}))
        [attempt] = webhook(receiver.url).deliver([event("e-1")])
    finally:
        elsewhere.close()
    assert elsewhere.received == [], "nothing reached the redirect's target"
    assert [r.method for r in receiver.received] == ["POST"]
    assert attempt.result == "retry"
    assert attempt.error == (f"webhook answered {status} to Location {elsewhere.url}/internal; "
                             "redirects are not followed")


def test_a_redirect_without_a_location_says_so(receiver: Receiver) -> None:
    receiver.answers.append((302, {}))
    [attempt] = webhook(receiver.url).deliver([event("e-1")])
    assert attempt.error == "webhook answered 302 without a Location; redirects are not followed"


def test_the_destination_session_never_follows_redirects_even_when_asked(receiver: Receiver) -> None:
    elsewhere = Receiver()
    try:
        receiver.answers.append((307, {"Location": elsewhere.url + "/internal"}))
        answer = webhook(receiver.url).session.post(receiver.url + "/hooks", data=b"{}", allow_redirects=True,
                                                    timeout=5)
    finally:
        elsewhere.close()
    assert (answer.status_code, answer.history, elsewhere.received) == (307, [], [])


def test_a_channel_upsert_redirect_is_a_retry_naming_its_location() -> None:
    with requests_mock.Mocker() as api:
        api.put(requests_mock.ANY, status_code=308, headers={"Location": "http://10.0.0.1/users"})
        [attempt] = channel().deliver([event("e-1", user={"memberId": "m-1"})])
    assert attempt.result == "retry"
    assert attempt.error == ("channel user upsert answered 308 to Location http://10.0.0.1/users; "
                             "redirects are not followed")
    assert [r.method for r in api.request_history] == ["PUT"]


def test_webhook_to_a_closed_port_is_retried() -> None:
    [attempt] = webhook("http://127.0.0.1:9", timeout_seconds=1).deliver([event("e-1")])
    assert attempt.result == "retry" and "ConnectionError" in str(attempt.error)


def test_jsonl_appends_and_rotates(tmp_path: Path) -> None:
    destination = build_destination(DestinationConfig(id="archive", type="jsonl", settings={
        "directory": str(tmp_path), "rotate_bytes": 2048, "fsync": True}))
    for n in range(30):
        assert [a.result for a in destination.deliver([event(f"e-{n}")])] == ["delivered"]
    files = sorted(tmp_path.glob("archive-*.jsonl"))
    assert len(files) > 1 and all(f.stat().st_size <= 2048 for f in files)
    lines = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert sorted(e["id"] for e in lines) == sorted(f"e-{n}" for n in range(30))


CHANNEL = "https://api.channel.io"


def channel() -> Any:
    return build_destination(DestinationConfig(id="channel", type="channel", settings={
        "access_key": "ak-123", "access_secret": "as-456", "base_url": CHANNEL}))


def test_channel_upserts_the_member_then_creates_the_event() -> None:
    member = event("e-1", user={"memberId": "cust 77", "email": "mina@example.com"},
                   commerce={"currency": "KRW", "value": 59000, "orderId": "1001",
                             "items": [{"id": "P1", "name": "셔츠", "price": 29500, "quantity": 2}]},
                   page={"url": "https://shop.example.com/done?utm_source=x", "canonicalUrl": "https://shop.example.com/done",
                         "path": "/done"})
    with requests_mock.Mocker() as api:
        upsert = api.put(f"{CHANNEL}/open/v5/users/@cust%2077", json={"user": {"id": "u-9", "memberId": "cust 77"}})
        create = api.post(f"{CHANNEL}/open/v5/users/u-9/events", json={"event": {"id": "ev-1", "name": "Purchase"}})
        [attempt] = channel().deliver([member])
    assert attempt.result == "delivered" and attempt.note is None
    assert upsert.last_request.headers["x-access-key"] == "ak-123"
    assert upsert.last_request.json() == {"profile": {"email": "mina@example.com"}}
    assert create.last_request.json() == {"name": "Purchase", "property": {
        "revenue": 59000, "currency": "KRW", "orderId": "1001",
        "items": [{"id": "P1", "name": "셔츠", "price": 29500, "quantity": 2}], "url": "https://shop.example.com/done"}}


def test_channel_takes_only_members() -> None:
    destination = channel()
    assert destination.matches(event("e-1", user={"memberId": "m"}))
    assert not destination.matches(event("e-2", user={"anonymousId": "a"}))


def test_channel_limits_are_applied_and_what_was_cut_is_noted() -> None:
    long_note = "가" * 300  # 900 UTF-8 bytes
    properties = {"note": long_note, "tags": ["x" * 100] * 60, "ok": 1}
    fitted, cut = channel_property(event("e", properties=properties))
    assert len(fitted["note"].encode()) <= 512 and fitted["ok"] == 1
    assert len(json.dumps(fitted["tags"])) <= 4096
    assert cut == ["note (900 → 512 bytes)", "tags (60 → 39 entries)"]
    with requests_mock.Mocker() as api:
        api.put(f"{CHANNEL}/open/v5/users/@m", json={"user": {"id": "u"}})
        api.post(f"{CHANNEL}/open/v5/users/u/events", json={"event": {}})
        [attempt] = channel().deliver([event("e", user={"memberId": "m"}, properties=properties)])
    assert attempt.result == "delivered" and attempt.note is not None and "note (900 → 512 bytes)" in attempt.note


def test_channel_reuses_the_user_id_and_upserts_again_after_a_404() -> None:
    destination = channel()
    with requests_mock.Mocker() as api:
        upsert = api.put(f"{CHANNEL}/open/v5/users/@m", json={"user": {"id": "u-1"}})
        api.post(f"{CHANNEL}/open/v5/users/u-1/events", [{"json": {"event": {}}}, {"status_code": 404, "json": {}}])
        plain = event("e", user={"memberId": "m"})
        assert destination.deliver([plain])[0].result == "delivered"
        assert destination.deliver([plain])[0].result == "retry", "the user vanished: try again"
        assert upsert.call_count == 1, "the second event reused the cached user id"
        api.post(f"{CHANNEL}/open/v5/users/u-1/events", json={"event": {}})
        assert destination.deliver([plain])[0].result == "delivered"
        assert upsert.call_count == 2, "after the 404 the member is upserted again"


def test_channel_rate_limit_is_retried_after_its_delay() -> None:
    with requests_mock.Mocker() as api:
        api.put(f"{CHANNEL}/open/v5/users/@m", status_code=429, headers={"Retry-After": "12"}, json={})
        [attempt] = channel().deliver([event("e", user={"memberId": "m"})])
    assert (attempt.result, attempt.retry_after) == ("retry", 12.0)
