"""The storage behaviour suite, run against SQLite and a real PostgreSQL server alike."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest

from app.config.model import StorageSettings
from app.storage import SqlStorage, open_storage
from app.storage.migrations import pending_migrations, upgrade
from app.storage.outbox import DeliveryOutcome
from app.storage.records import EventQuery, EventRecord, InputRecord, RejectionQuery, RejectionRecord
from tests.support.gateway import ADMIN, WRITE, base_config, build_app
from tests.support.stored import PAGE_SIZE, count_stored_events, stored_event_ids

T0 = "2026-11-24T12:00:00.000Z"
MIGRATIONS = ["0001.initial", "0002.collect_chunks", "0003.delivery", "0004.input_encoding",
              "0005.delivery_lease_owner", "0006.console_sessions", "0007.retention", "0008.sources",
              "0009.console_viewer_links", "0010.people", "0011.witnesses"]


def event(event_id: str, name: str = "Lead", member: str | None = None, source: str = "web") -> dict[str, Any]:
    body: dict[str, Any] = {"id": event_id, "name": name, "occurredAt": T0, "receivedAt": T0,
                            "source": {"id": source, "adapter": "canonical"}}
    if member:
        body["user"] = {"memberId": member}
    return body


def record(event_body: dict[str, Any]) -> EventRecord:
    return EventRecord(event_body, orjson.dumps(event_body))


def an_input(body: bytes = b"{}") -> InputRecord:
    return InputRecord(received_at=T0, endpoint="events", method="POST", path="/v1/events", body=body,
                       body_size=len(body), source_id="web", adapter="canonical", headers={"X-Trace": "1"})


@pytest.fixture
def storage(database_url: str) -> SqlStorage:
    upgrade(database_url)
    return open_storage(StorageSettings(url=database_url))


def test_migrations_apply_once(database_url: str) -> None:
    assert upgrade(database_url) == MIGRATIONS
    assert upgrade(database_url) == []
    assert pending_migrations(database_url) == []


def test_migrations_are_safe_from_several_instances_at_once(database_url: str) -> None:
    applied: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            applied.append(upgrade(database_url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(len(a) for a in applied) == [0, 0, len(MIGRATIONS)], "exactly one instance applied them"


def test_events_are_stored_once_per_source_and_id(storage: SqlStorage) -> None:
    first = storage.store(an_input(), [record(event("a")), record(event("b")), record(event("a"))])
    assert first.stored == frozenset({0, 1}), "a repeated id within one write is a duplicate"
    again = storage.store(an_input(), [record(event("a")), record(event("c")), record(event("a", source="other"))])
    assert again.stored == frozenset({1, 2})
    assert count_stored_events(storage) == 4
    assert [row["event"]["id"] for row in storage.list_events(EventQuery())] == ["a", "c", "b", "a"]


def test_the_stored_events_are_read_page_after_page(storage: SqlStorage) -> None:
    """tests.support.stored counts and lists every event, over more than two pages of the listing."""
    web = [str(n) for n in range(2 * PAGE_SIZE + 1)]
    storage.store(an_input(), [record(event(event_id)) for event_id in web])
    storage.store(an_input(), [record(event("x", source="other"))])
    assert count_stored_events(storage) == len(web) + 1
    assert stored_event_ids(storage, "web") == set(web)
    assert stored_event_ids(storage, "other") == {"x"}


def test_a_write_that_fails_halfway_leaves_nothing_and_the_next_one_goes_through(storage: SqlStorage) -> None:
    with pytest.raises(RuntimeError), storage.transaction(write=True) as connection:
        connection.execute(storage.sql("INSERT INTO inputs (received_at, endpoint, method, path, body, body_size) "
                                       "VALUES (?, ?, ?, ?, ?, ?)"), (T0, "events", "POST", "/v1/events", b"{}", 2))
        raise RuntimeError("the request failed halfway")
    assert storage.store(an_input(), [record(event("after"))]).stored == frozenset({0})
    with storage.transaction() as connection:
        assert connection.execute("SELECT count(*) FROM inputs").fetchone()[0] == 1
    assert count_stored_events(storage) == 1


def test_large_batches_keep_64_bit_ids_and_order(storage: SqlStorage) -> None:
    events = [record({**event(f"id-{n}"), "commerce": {"orderId": str(2**63 - n)}}) for n in range(500)]
    result = storage.store(an_input(), events)
    assert result.stored == frozenset(range(500))
    listed = storage.list_events(EventQuery(limit=500))
    assert listed[0]["event"]["id"] == "id-499" and listed[-1]["event"]["commerce"]["orderId"] == str(2**63)


def test_one_write_keeps_new_events_their_outbox_rows_and_its_rejections(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event("old"))], route=lambda e: ["hook"])
    refused = RejectionRecord(received_at=T0, endpoint="events", status=400, reason="schema", source_id="web",
                              problems=[{"field": "name", "value": "", "expectation": "1-30 characters"}],
                              event_index=3, event_body=b'{"name": "", "note": "\xc3\xa9\x00"}')
    result = storage.store(an_input(), [record(event("new", member="m-1")), record(event("old")),
                                        record(event("new", name="Other"))], [refused],
                           route=lambda e: ["hook", "crm"] if e["name"] == "Lead" else ["archive"])
    assert result.stored == frozenset({0}), "the stored one and an earlier copy are duplicates"
    counts = storage.delivery_counts()
    assert (counts["hook"]["pending"], counts["crm"]["pending"]) == (2, 1), "rows only for the new event"
    assert "archive" not in counts, "a duplicate in the same write is not routed"
    [rejection_id] = result.rejection_ids
    kept = storage.get_rejection(rejection_id)
    assert kept is not None and kept["eventIndex"] == 3 and kept["inputId"] == result.input_id
    assert kept["eventBody"] == b'{"name": "", "note": "\xc3\xa9\x00"}'
    assert kept["problems"] == [{"field": "name", "value": "", "expectation": "1-30 characters"}]


def test_an_input_not_kept_leaves_its_events_stored_without_an_input(storage: SqlStorage) -> None:
    result = storage.store(None, [record(event("a")), record(event("b")), record(event("a"))],
                           route=lambda e: ["hook"])
    assert result.input_id is None and result.stored == frozenset({0, 1})
    assert [row["inputId"] for row in storage.list_events(EventQuery())] == [None, None]
    assert storage.delivery_counts()["hook"]["pending"] == 2, "the events are routed as any others"
    with storage.transaction() as connection:
        assert connection.execute("SELECT count(*) FROM inputs").fetchone()[0] == 0
    assert storage.store(None, [record(event("a"))]).stored == frozenset(), "still deduplicated"
    kept = storage.store(an_input(b'{"kept": true}'), [record(event("c"))])
    assert kept.input_id is not None and storage.get_input(kept.input_id) is not None


def test_one_event_alone_is_stored_once_and_a_routed_one_gets_its_outbox_row(storage: SqlStorage) -> None:
    """The usual write (one event, no input kept, no destination): a statement of its own on SQLite."""
    assert storage.store(None, [record(event("solo"))]).stored == frozenset({0})
    assert storage.store(None, [record(event("solo"))]).stored == frozenset(), "a redelivery is a duplicate"
    assert storage.store(None, [record(event("routed"))], route=lambda e: ["hook"]).stored == frozenset({0})
    assert [row["event"]["id"] for row in storage.list_events(EventQuery())] == ["routed", "solo"]
    assert storage.delivery_counts()["hook"]["pending"] == 1, "only the routed event waits for delivery"


def test_listing_filters(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event("1", "PageView")), record(event("2", member="m-1")),
                               record(event("3", "PageView", source="shop"))])
    assert [r["event"]["id"] for r in storage.list_events(EventQuery(name="PageView"))] == ["3", "1"]
    assert [r["event"]["id"] for r in storage.list_events(EventQuery(user="m-1"))] == ["2"]
    assert [r["event"]["id"] for r in storage.list_events(EventQuery(source="shop"))] == ["3"]
    newest = storage.list_events(EventQuery(limit=1))
    assert [r["event"]["id"] for r in storage.list_events(EventQuery(before=newest[0]["seq"]))] == ["2", "1"]


def test_rejections_are_kept_with_their_input(storage: SqlStorage) -> None:
    rejection_id = storage.reject(an_input(b"\xff not json"), RejectionRecord(
        received_at=T0, endpoint="events", status=400, reason="payload",
        problems=[{"field": "body", "value": "x", "expectation": "y"}], source_id="web"))
    kept = storage.get_rejection(rejection_id)
    assert kept is not None and kept["input"]["body"] == b"\xff not json"
    assert kept["input"]["headers"] == {"X-Trace": "1"}
    assert [r["id"] for r in storage.list_rejections(RejectionQuery(reason="payload"))] == [rejection_id]
    storage.mark_replayed(rejection_id, T0, "accepted 1")
    assert storage.get_rejection(rejection_id)["replayResult"] == "accepted 1"  # type: ignore[index]


def test_large_raw_inputs_come_back_exactly_as_received(storage: SqlStorage) -> None:
    webhook = orjson.dumps({"line_items": [{"title": f"Linen shirt {n}", "price": "29.50"} for n in range(400)]})
    noise = bytes(range(256)) * 40  # incompressible: kept as it is
    ids = [storage.reject(an_input(body), RejectionRecord(received_at=T0, endpoint="webhooks", status=401,
                                                          reason="signature", problems=[], source_id="web"))
           for body in (webhook, noise, b"")]
    kept = [storage.get_rejection(i)["input"] for i in ids]  # type: ignore[index]
    assert [k["body"] for k in kept] == [webhook, noise, b""]
    assert [k["bodySize"] for k in kept] == [len(webhook), len(noise), 0]


def test_chunks_assemble_in_any_order_and_expire(storage: SqlStorage) -> None:
    assert storage.add_chunk("web", "p1", 1, 2, "world", T0) is None
    assert storage.add_chunk("web", "p1", 1, 2, "world", T0) is None, "a repeated chunk changes nothing"
    assert storage.add_chunk("web", "p1", 0, 2, "hello ", T0) == ["hello ", "world"]
    storage.delete_chunks("web", "p1")
    storage.add_chunk("web", "p2", 0, 3, "x", "2026-11-24T11:00:00.000Z")
    assert [c["payloadId"] for c in storage.expired_chunks("2026-11-24T11:30:00.000Z")] == ["p2"]


def test_outbox_rows_are_claimed_once_and_finished(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event(str(n))) for n in range(5)], route=lambda e: ["hook", "archive"])
    claimed = storage.claim("hook", T0, "2026-11-24T12:01:00.000Z", 3, ordered=False)
    assert [c.event["id"] for c in claimed] == ["0", "1", "2"]
    assert [c.event["id"] for c in storage.claim("hook", T0, "2026-11-24T12:01:00.000Z", 10, False)] == ["3", "4"]
    assert storage.claim("hook", T0, "2026-11-24T12:01:00.000Z", 10, False) == [], "all in flight"
    storage.finish([DeliveryOutcome(c.outbox_id, "delivered", 1) for c in claimed[:2]] +
                   [DeliveryOutcome(claimed[2].outbox_id, "dead", 1, error="410 Gone")], T0)
    counts = storage.delivery_counts()
    assert counts["hook"] == {"pending": 0, "inflight": 2, "delivered": 2, "dead": 1}
    assert counts["archive"]["pending"] == 5
    [dead] = storage.deliveries("hook", "dead")
    assert (dead["eventId"], dead["lastError"]) == ("2", "410 Gone")


def test_an_expired_lease_lets_another_worker_take_the_row(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event("x"))], route=lambda e: ["hook"])
    [first] = storage.claim("hook", T0, "2026-11-24T12:01:00.000Z", 10, False)
    assert storage.claim("hook", "2026-11-24T12:00:30.000Z", "2026-11-24T12:01:30.000Z", 10, False) == []
    [again] = storage.claim("hook", "2026-11-24T12:02:00.000Z", "2026-11-24T12:03:00.000Z", 10, False)
    assert again.outbox_id == first.outbox_id, "the worker holding it died: its lease ran out"


def test_retried_rows_wait_until_they_are_due(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event("x"))], route=lambda e: ["hook"])
    [row] = storage.claim("hook", T0, "2026-11-24T12:01:00.000Z", 10, False)
    storage.finish([DeliveryOutcome(row.outbox_id, "pending", 1, "2026-11-24T12:05:00.000Z", "503")], T0)
    assert storage.claim("hook", "2026-11-24T12:04:59.000Z", "2026-11-24T12:06:00.000Z", 10, False) == []
    [due] = storage.claim("hook", "2026-11-24T12:05:00.000Z", "2026-11-24T12:06:00.000Z", 10, False)
    assert due.attempts == 1


def test_ordered_claims_keep_each_users_events_in_order(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event("a1", member="alice")), record(event("b1", member="bob")),
                               record(event("a2", member="alice")), record(event("anon"))],
                  route=lambda e: ["crm"])
    first = storage.claim("crm", T0, "2026-11-24T12:01:00.000Z", 10, ordered=True)
    assert [c.event["id"] for c in first] == ["a1", "b1", "anon"], "a2 waits for a1"
    storage.finish([DeliveryOutcome(first[0].outbox_id, "pending", 1, "2026-11-24T13:00:00.000Z", "503")], T0)
    assert storage.claim("crm", T0, "2026-11-24T12:01:00.000Z", 10, ordered=True) == [], "a1 retries later: a2 waits"
    storage.finish([DeliveryOutcome(first[0].outbox_id, "dead", 5, error="gave up")], T0)
    assert [c.event["id"] for c in storage.claim("crm", T0, "2026-11-24T12:01:00.000Z", 10, True)] == ["a2"]


def test_dead_letters_are_queued_again(storage: SqlStorage) -> None:
    storage.store(an_input(), [record(event(str(n))) for n in range(3)], route=lambda e: ["hook"])
    rows = storage.claim("hook", T0, "2026-11-24T12:01:00.000Z", 10, False)
    storage.finish([DeliveryOutcome(rows[0].outbox_id, "dead", 10, error="x"),
                    DeliveryOutcome(rows[1].outbox_id, "dead", 10, error="x"),
                    DeliveryOutcome(rows[2].outbox_id, "delivered", 1)], T0)
    assert storage.replayable_ids("hook") == [rows[0].outbox_id, rows[1].outbox_id]
    assert storage.requeue("2026-11-24T13:00:00.000Z", destination="hook", event_ids=["1"]) == 1
    assert storage.requeue("2026-11-24T13:00:00.000Z", dead_only=False) == 2, "the other dead one and the delivered"
    assert storage.delivery_counts()["hook"]["pending"] == 3


def test_concurrent_workers_never_claim_the_same_row(storage: SqlStorage, database_url: str) -> None:
    storage.store(an_input(), [record(event(str(n))) for n in range(400)], route=lambda e: ["hook"])
    claimed: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        own = open_storage(StorageSettings(url=database_url))
        while True:
            rows = own.claim("hook", T0, "2026-11-24T12:01:00.000Z", 7, False)
            if not rows:
                return
            with lock:
                claimed.extend(r.outbox_id for r in rows)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 400 and len(set(claimed)) == 400


def test_the_gateway_runs_on_the_engine(database_url: str, tmp_path: Any) -> None:
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database_url}
    client = build_app(config).test_client()
    for _ in range(2):
        assert client.post("/v1/events", json={"id": "e-1", "name": "Lead"}, headers=WRITE).status_code == 200
    batch = client.post("/v1/events", json={"batch": [{"id": "e-1", "name": "Lead"}, {"id": "e-2", "name": "Lead"}]},
                        headers=WRITE).get_json()
    assert (batch["stored"], batch["duplicates"]) == (1, 1)
    listed = client.get("/v1/events", headers=ADMIN).get_json()
    assert [i["event"]["id"] for i in listed["items"]] == ["e-2", "e-1"]
    assert client.get("/readyz").get_json() == {"status": "ok"}
