"""Retention on both engines: what is over age goes in bounded batches, pending deliveries and their events stay."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from adapters.times import format_time
from app.config.model import RetentionSettings, StorageSettings
from app.storage import SqlStorage, open_storage
from app.storage.migrations import upgrade
from app.storage.outbox import DeliveryOutcome
from app.storage.records import EventQuery, EventRecord, InputRecord, RejectionQuery, RejectionRecord
from app.storage.retention import KINDS, PurgeCount, Purger
from app.storage.sqlite import SqliteStorage

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
OLD = NOW - timedelta(days=200)  # over every default retention
RECENT = NOW - timedelta(days=1)  # within every default retention
HOOK = ["hook"]


def at(moment: datetime) -> str:
    return format_time(moment)


def record(event_id: str, received: datetime) -> EventRecord:
    body: dict[str, Any] = {"id": event_id, "name": "Lead", "occurredAt": at(received), "receivedAt": at(received),
                            "source": {"id": "web", "adapter": "canonical"}}
    return EventRecord(body, orjson.dumps(body))


def an_input(received: datetime) -> InputRecord:
    return InputRecord(received_at=at(received), endpoint="events", method="POST", path="/v1/events", body=b"{}",
                       body_size=2, source_id="web", adapter="canonical")


def rejection(received: datetime) -> RejectionRecord:
    return RejectionRecord(received_at=at(received), endpoint="events", status=400, reason="schema", source_id="web",
                           problems=[{"field": "name", "value": "", "expectation": "1-30 characters"}])


def settle(storage: SqlStorage, moment: datetime, outcomes: dict[str, str]) -> None:
    """Claim the due rows of "hook" at `moment` and finish each event's row with its status (pending: retried later)."""
    claimed = storage.claim("hook", at(moment), at(moment + timedelta(minutes=1)), 100, ordered=False)
    assert sorted(row.event["id"] for row in claimed) == sorted(outcomes)
    later = at(NOW + timedelta(days=1))
    storage.finish([DeliveryOutcome(row.outbox_id, outcomes[row.event["id"]], row.attempts + 1, later,
                                    None if outcomes[row.event["id"]] == "delivered" else "HTTP 500",
                                    lease=row.lease) for row in claimed], at(moment))


def event_ids(storage: SqlStorage) -> set[str]:
    return {row["event"]["id"] for row in storage.list_events(EventQuery(limit=100))}


@pytest.fixture
def storage(database_url: str) -> SqlStorage:
    upgrade(database_url)
    return open_storage(StorageSettings(url=database_url))


def test_rows_over_age_go_newer_ones_stay_and_pending_deliveries_keep_their_events(storage: SqlStorage) -> None:
    old = storage.store(an_input(OLD), [record("delivered", OLD), record("dead", OLD), record("unrouted", OLD)],
                        [rejection(OLD)], route=lambda e: HOOK if e["id"] != "unrouted" else [])
    storage.store(None, [record("waiting", OLD)], route=lambda e: HOOK)
    settle(storage, OLD, {"delivered": "delivered", "dead": "dead", "waiting": "pending"})
    recent = storage.store(an_input(RECENT), [record("recent", RECENT)], [rejection(RECENT)], route=lambda e: HOOK)
    settle(storage, RECENT, {"recent": "delivered"})

    done = Purger(storage, RetentionSettings(), pause=0).purge(NOW)

    assert {kind: count.deleted for kind, count in done.items()} == {
        "delivered": 1, "dead": 1, "rejections": 1, "events": 3, "sessions": 0, "people": 0, "inputs": 1}
    assert event_ids(storage) == {"waiting", "recent"}, "a pending delivery keeps its event whatever its age"
    rows = storage.deliveries("hook")
    assert [(row["eventId"], row["status"]) for row in rows] == [("recent", "delivered"), ("waiting", "pending")]
    assert [r["receivedAt"] for r in storage.list_rejections(RejectionQuery())] == [at(RECENT)]
    assert storage.get_input(old.input_id or 0) is None, "the old kept request is gone"
    assert storage.get_input(recent.input_id or 0) is not None


def test_an_event_stays_while_its_finished_deliveries_are_kept(storage: SqlStorage) -> None:
    storage.store(None, [record("a", OLD)], route=lambda e: HOOK)
    settle(storage, OLD, {"a": "delivered"})
    forever = Purger(storage, RetentionSettings(delivered_days=0), pause=0).purge(NOW)
    assert (forever["delivered"].deleted, forever["events"].deleted) == (0, 0)
    assert event_ids(storage) == {"a"}, "a kept delivery row still refers to the event"
    done = Purger(storage, RetentionSettings(), pause=0).purge(NOW)
    assert (done["delivered"].deleted, done["events"].deleted) == (1, 1)


def test_an_input_over_age_leaves_its_newer_events_without_it(storage: SqlStorage) -> None:
    kept = storage.store(an_input(OLD), [record("a", OLD)], [rejection(OLD)])
    Purger(storage, RetentionSettings(events_days=365, rejections_days=365), pause=0).purge(NOW)
    [listed] = storage.list_events(EventQuery())
    assert listed["inputId"] is None and storage.get_input(kept.input_id or 0) is None
    [kept_rejection] = storage.list_rejections(RejectionQuery())
    assert kept_rejection["inputId"] is None, "the rejection stays, without its request"


def test_batches_are_bounded(storage: SqlStorage) -> None:
    for _ in range(5):
        storage.reject(an_input(OLD), rejection(OLD))
    storage.store(None, [record(str(n), OLD) for n in range(4)])
    done = Purger(storage, RetentionSettings(batch_size=2), pause=0).purge(NOW)
    assert done["rejections"] == PurgeCount(deleted=5, rounds=3), "2, 2, then 1: three statements"
    assert done["events"] == PurgeCount(deleted=4, rounds=3), "2, 2, then none left"
    assert done["inputs"] == PurgeCount(deleted=5, rounds=3)
    assert done["delivered"] == PurgeCount(deleted=0, rounds=1)


def test_zero_days_keep_forever(storage: SqlStorage) -> None:
    storage.store(an_input(OLD), [record("a", OLD)], [rejection(OLD)])
    forever = RetentionSettings(events_days=0, rejections_days=0, inputs_days=0, delivered_days=0, dead_days=0)
    done = Purger(storage, forever, pause=0).purge(NOW)
    assert all(count == PurgeCount() for count in done.values())
    assert event_ids(storage) == {"a"} and len(storage.list_rejections(RejectionQuery())) == 1


def test_the_dry_run_counts_what_a_purge_deletes_and_deletes_nothing(storage: SqlStorage) -> None:
    storage.store(an_input(OLD), [record("a", OLD), record("b", OLD)], [rejection(OLD)], route=lambda e: HOOK)
    storage.store(None, [record("c", RECENT)])
    settle(storage, OLD, {"a": "delivered", "b": "delivered"})
    purger = Purger(storage, RetentionSettings(), pause=0)
    counts = purger.count(NOW)
    assert counts == {"delivered": 2, "dead": 0, "rejections": 1, "events": 2, "sessions": 0, "people": 0,
                      "inputs": 1}, \
        "events whose only deliveries go in the same purge are counted"
    assert purger.count(NOW) == counts and event_ids(storage) == {"a", "b", "c"}, "nothing was deleted"
    assert {kind: count.deleted for kind, count in purger.purge(NOW).items()} == counts
    assert purger.count(NOW) == dict.fromkeys(KINDS, 0)


def test_metrics_figures_follow_deliveries_retries_dead_letters_and_the_purge(storage: SqlStorage) -> None:
    storage.store(None, [record(str(n), OLD) for n in range(6)], route=lambda e: HOOK)
    claimed = storage.claim("hook", at(OLD), at(OLD + timedelta(minutes=1)), 100, ordered=False)
    outcomes = [DeliveryOutcome(claimed[0].outbox_id, "delivered", 1, lease=claimed[0].lease),
                DeliveryOutcome(claimed[1].outbox_id, "delivered", 1, lease=claimed[1].lease),
                DeliveryOutcome(claimed[2].outbox_id, "dead", 1, error="HTTP 400", lease=claimed[2].lease),
                DeliveryOutcome(claimed[3].outbox_id, "pending", 1, at(NOW), "HTTP 500", lease=claimed[3].lease)]
    storage.finish(outcomes, at(OLD))
    storage.release(claimed[0].lease, at(OLD))  # the last two were claimed but not sent
    storage.claim("hook", at(OLD), at(OLD + timedelta(minutes=1)), 1, ordered=False)  # one in flight
    storage.finish([DeliveryOutcome(claimed[0].outbox_id, "dead", 9, lease="another claim's")], at(OLD))
    assert storage.open_counts() == {"hook": {"pending": 2, "inflight": 1, "dead": 1}}
    assert storage.delivery_totals() == {"hook": {"delivered": 2, "dead": 1}}, "a row another claim holds counts not"
    Purger(storage, RetentionSettings(), pause=0).purge(NOW)
    assert storage.open_counts() == {"hook": {"pending": 2, "inflight": 1, "dead": 0}}
    assert storage.delivery_totals() == {"hook": {"delivered": 2, "dead": 1}}, "totals outlive the purged rows"
    assert storage.delivery_counts()["hook"]["delivered"] == 0


def test_a_purge_and_a_checkpoint_empty_sqlites_write_ahead_log(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    storage = SqliteStorage(url)
    for n in range(200):
        storage.store(an_input(OLD), [record(str(n), OLD)], [rejection(OLD)])
    wal = str(tmp_path / "wal.db-wal")
    assert os.path.getsize(wal) > 0
    Purger(storage, RetentionSettings(), pause=0).purge(NOW)
    assert storage.truncate_log()
    assert os.path.getsize(wal) == 0
    assert event_ids(storage) == set()


def test_purges_running_at_once_delete_each_row_once(storage: SqlStorage) -> None:
    storage.store(None, [record(str(n), OLD) for n in range(40)])
    results: list[int] = []

    def purge() -> None:
        results.append(Purger(storage, RetentionSettings(batch_size=3), pause=0).purge(NOW)["events"].deleted)
        storage.close()

    threads = [threading.Thread(target=purge) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 40 and event_ids(storage) == set()
