"""The worker purges by itself, `tagway purge [--dry-run]`, and /metrics from the maintained figures."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import tomli_w
from click.testing import CliRunner
from flask import Flask

from adapters.times import format_time
from app.cli import main
from app.delivery.worker import DeliveryWorker
from app.storage.records import EventQuery, EventRecord, InputRecord, RejectionQuery, RejectionRecord
from tests.support.gateway import ADMIN, WRITE, Clock, base_config, build_app
from tests.support.receiver import Receiver

LEAD = {"name": "Lead", "user": {"memberId": "m-1"}}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def gateway_config(tmp_path: Path, receiver: Receiver) -> dict[str, Any]:
    config = base_config(tmp_path / "retention.db")
    config["destinations"] = [{"id": "hook", "type": "webhook", "url": receiver.url + "/in"}]
    return config


def worker_of(app: Flask) -> DeliveryWorker:
    return DeliveryWorker(app.extensions["tagway"].worker_parts(), rng=random.Random(3))


def test_a_worker_round_purges_what_is_over_age(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app = build_app(gateway_config(tmp_path, receiver), clock)
    client = app.test_client()
    assert client.post("/v1/events", json={"id": "old", **LEAD}, headers=WRITE).status_code == 200
    assert client.post("/v1/events", json={"id": "bad", "name": ""}, headers=WRITE).status_code == 400
    assert worker_of(app).run_once() == 1
    clock.advance(days=100)
    assert client.post("/v1/events", json={"id": "new", **LEAD}, headers=WRITE).status_code == 200
    assert worker_of(app).run_once() == 1, "the new event is delivered, then the purge runs"
    storage = app.extensions["tagway"].storage
    assert [row["event"]["id"] for row in storage.list_events(EventQuery())] == ["new"]
    assert storage.list_rejections(RejectionQuery()) == []
    assert [row["eventId"] for row in storage.deliveries()] == ["new"]


def test_metrics_come_from_the_maintained_figures(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app = build_app(gateway_config(tmp_path, receiver), clock)
    client = app.test_client()
    for event_id in ("a", "b", "c"):
        assert client.post("/v1/events", json={"id": event_id, **LEAD}, headers=WRITE).status_code == 200
    receiver.answers.extend([(200, {}), (400, {}), (500, {})])
    worker_of(app).run_once()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'tagway_outbox_rows{destination="hook",status="pending"} 1.0' in text, "the retried one"
    assert 'tagway_outbox_rows{destination="hook",status="dead"} 1.0' in text
    assert 'tagway_outbox_rows{destination="hook",status="delivered"}' not in text, "delivered rows are not read"
    assert 'tagway_deliveries_total{destination="hook",outcome="delivered"} 1.0' in text
    assert 'tagway_deliveries_total{destination="hook",outcome="dead"} 1.0' in text
    assert client.get("/v1/deliveries", headers=ADMIN).status_code == 200


def old_rows(url: str) -> None:
    """An old event, its kept request and a rejection, and a recent event, written as ingestion writes them."""
    from app.config.model import StorageSettings
    from app.storage import open_storage

    storage = open_storage(StorageSettings(url=url))
    old = datetime.now(UTC) - timedelta(days=400)
    for event_id, moment in (("old", old), ("recent", datetime.now(UTC))):
        body = {"id": event_id, "name": "Lead", "occurredAt": format_time(moment), "receivedAt": format_time(moment),
                "source": {"id": "web", "adapter": "canonical"}}
        request = InputRecord(received_at=format_time(moment), endpoint="events", method="POST", path="/v1/events",
                              body=b"{}", body_size=2, source_id="web")
        refused = RejectionRecord(received_at=format_time(moment), endpoint="events", status=400, reason="schema",
                                  problems=[{"field": "name", "value": "", "expectation": "1-30 characters"}])
        storage.store(request if event_id == "old" else None, [EventRecord(body, orjson.dumps(body))],
                      [refused] if event_id == "old" else [])


def test_purge_command_dry_run_counts_then_purge_deletes(tmp_path: Path, receiver: Receiver,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = gateway_config(tmp_path, receiver)
    build_app(config)  # migrated
    old_rows(config["storage"]["url"])
    (tmp_path / "tagway.toml").write_bytes(tomli_w.dumps({**config, "retention": {"dead_days": 0}}).encode())
    monkeypatch.chdir(tmp_path)
    dry = CliRunner().invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        "delivered outbox rows: 0 would be deleted",
        "dead letters: 0 would be deleted (kept forever: retention 0 days)",
        "rejections: 1 would be deleted", "events: 1 would be deleted",
        "sessions with no event left: 0 would be deleted", "people with no event left: 0 would be deleted",
        "kept raw requests: 1 would be deleted"]
    again = CliRunner().invoke(main, ["purge", "--dry-run"])
    assert again.output == dry.output, "the dry run deleted nothing"
    done = CliRunner().invoke(main, ["purge"])
    assert done.exit_code == 0, done.output
    assert "events: 1 deleted" in done.output and "kept raw requests: 1 deleted" in done.output
    assert "events: 0 would be deleted" in CliRunner().invoke(main, ["purge", "--dry-run"]).output
