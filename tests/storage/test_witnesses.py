"""Witnesses of one order event in storage, on both engines: kept beside the event, merged into it, never doubled."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from app.config.model import StorageSettings
from app.event.witnesses import site_event_id
from app.storage import open_storage
from app.storage.base import SqlStorage
from app.storage.migrations import upgrade
from app.storage.outbox import DeliveryOutcome
from app.storage.records import EventQuery, EventRecord, InputRecord

T0, T1, T2 = "2026-11-24T12:00:00.000Z", "2026-11-24T12:00:01.000Z", "2026-11-24T12:00:02.000Z"
ORDER_ID = site_event_id("shop.example", "Purchase", "1001")


def witness(source: str, received_at: str, **fields: Any) -> dict[str, Any]:
    return {"id": ORDER_ID, "name": "Purchase", "occurredAt": T0, "receivedAt": received_at,
            "source": {"id": source, "adapter": "canonical"},
            "commerce": {"orderId": "1001", "currency": "USD", "value": 10}, **fields}


def record(event: dict[str, Any], kind: str) -> EventRecord:
    return EventRecord(event, orjson.dumps(event), kind)


def to_hook(event: dict[str, Any]) -> Sequence[str]:
    return ["hook"]


@pytest.fixture
def storage(database_url: str) -> SqlStorage:
    upgrade(database_url)
    return open_storage(StorageSettings(url=database_url))


def witnesses_of(storage: SqlStorage) -> list[tuple[str, str]]:
    with storage.transaction() as connection:
        rows = connection.execute("SELECT source_id, kind FROM witnesses ORDER BY source_id").fetchall()
    return [(row[0], row[1]) for row in rows]


def outbox(storage: SqlStorage) -> list[tuple[str, str, str | None]]:
    with storage.transaction() as connection:
        rows = connection.execute("SELECT destination, next_attempt_at, user_key FROM outbox ORDER BY id").fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


def test_a_second_witness_is_kept_and_merged_into_the_one_stored_event(storage: SqlStorage) -> None:
    browser = witness("shop-gtm", T0, user={"anonymousId": "anon-1"},
                      context={"campaign": {"source": "newsletter"}})
    webhook = witness("my-shop", T1, user={"memberId": "m-1", "email": "jon@example.com"},
                      commerce={"orderId": "1001", "currency": "USD", "value": 404.95})
    first = storage.store(None, [record(browser, "browser")], route=to_hook, witness_wait_seconds=60)
    second = storage.store(None, [record(webhook, "webhook")], route=to_hook, witness_wait_seconds=60)
    assert (first.stored, second.stored) == (frozenset({0}), frozenset()), "the second is a duplicate..."
    assert witnesses_of(storage) == [("my-shop", "webhook"), ("shop-gtm", "browser")], "...that is kept"
    [item] = storage.list_events(EventQuery())
    assert item["event"]["user"] == {"anonymousId": "anon-1", "memberId": "m-1", "email": "jon@example.com"}
    assert item["event"]["commerce"]["value"] == 404.95 and item["event"]["source"]["id"] == "my-shop"
    assert item["event"]["context"] == {"campaign": {"source": "newsletter"}}
    assert item["witnesses"] == [{"sourceId": "shop-gtm", "kind": "browser", "receivedAt": T0},
                                 {"sourceId": "my-shop", "kind": "webhook", "receivedAt": T1}]
    assert storage.list_events(EventQuery(source="my-shop", user="m-1"))[0]["seq"] == item["seq"], \
        "the row's columns follow the merged event"
    assert outbox(storage) == [("hook", "2026-11-24T12:01:00.000Z", "memberId:m-1")], \
        "one delivery, due a wait after the first arrival, for the member the webhook named"


def test_a_repeat_of_the_same_witness_is_still_one_row_and_changes_nothing(storage: SqlStorage) -> None:
    storage.store(None, [record(witness("shop-gtm", T0, user={"anonymousId": "anon-1"}), "browser")], route=to_hook)
    retried = witness("shop-gtm", T2, user={"anonymousId": "anon-other"})
    again = storage.store(None, [record(retried, "browser")], route=to_hook)
    assert again.stored == frozenset()
    assert witnesses_of(storage) == [("shop-gtm", "browser")]
    [item] = storage.list_events(EventQuery())
    assert item["event"]["user"] == {"anonymousId": "anon-1"}, "the first account of a source stays"
    assert len(outbox(storage)) == 1


def test_a_retried_input_with_a_witness_keeps_idempotency_and_its_other_events(storage: SqlStorage) -> None:
    kept = InputRecord(received_at=T1, endpoint="webhook", method="POST", path="/v1/webhooks/my-shop", body=b"{}",
                       body_size=2, source_id="my-shop", adapter="shopify")
    lead = {"id": "lead-1", "name": "Lead", "occurredAt": T0, "receivedAt": T1,
            "source": {"id": "my-shop", "adapter": "shopify"}}
    events = [record(witness("my-shop", T1, user={"memberId": "m-1"}), "webhook"),
              EventRecord(lead, orjson.dumps(lead))]
    first = storage.store(kept, events, route=to_hook, witness_wait_seconds=5)
    retry = storage.store(kept, events, route=to_hook, witness_wait_seconds=5)
    assert first.stored == frozenset({0, 1}) and retry.stored == frozenset()
    assert first.input_id is not None and storage.get_input(first.input_id) is not None
    assert len(storage.list_events(EventQuery())) == 2 and witnesses_of(storage) == [("my-shop", "webhook")]
    assert sorted(row[1] for row in outbox(storage)) == ["2026-11-24T12:00:01.000Z", "2026-11-24T12:00:06.000Z"], \
        "the plain event is due at once, the order event after the wait"


def test_witnesses_arriving_at_once_make_one_event(storage: SqlStorage) -> None:
    sources = [f"source-{n}" for n in range(6)]
    results: list[bool] = []

    def send(source: str) -> None:
        results.append(bool(storage.store(None, [record(witness(source, T0), "server")], route=to_hook).stored))
        storage.close()

    threads = [threading.Thread(target=send, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True], "exactly one stored the event"
    assert len(storage.list_events(EventQuery())) == 1 and len(witnesses_of(storage)) == 6
    assert len(outbox(storage)) == 1


def test_a_purged_event_takes_its_witnesses_with_it(storage: SqlStorage) -> None:
    storage.store(None, [record(witness("a", T0), "server")])
    storage.store(None, [record(witness("b", T1), "browser")])
    with storage.transaction(write=True) as connection:
        connection.execute("DELETE FROM events")
    assert witnesses_of(storage) == []


def test_what_an_enrichment_added_survives_a_later_witness(storage: SqlStorage) -> None:
    only_id = witness("id-shop", T0, commerce={"orderId": "1001"}, name="OrderPaid")
    storage.store(None, [record(only_id, "webhook")], route=lambda event: ["@enrich"])
    [claimed] = storage.claim("@enrich", T1, T2, 10, ordered=False)
    completed = {**claimed.event, "commerce": {"orderId": "1001", "currency": "EUR", "value": 59.9}}
    storage.replace_event(DeliveryOutcome(claimed.outbox_id, "delivered", 1, lease=claimed.lease),
                          claimed.event_seq, completed, [], T1)
    browser = witness("shop-gtm", T2, commerce={"orderId": "1001"}, name="OrderPaid", user={"anonymousId": "a-1"})
    storage.store(None, [record(browser, "browser")])
    [item] = storage.list_events(EventQuery())
    assert item["event"]["commerce"] == completed["commerce"] and item["event"]["user"] == {"anonymousId": "a-1"}
