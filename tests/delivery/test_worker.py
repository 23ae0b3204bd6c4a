"""The delivery worker through the real app: outbox rows written at ingest, retries, dead letters, replay,
ordering per user, filters, and enrichment before delivery."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests_mock
from click.testing import CliRunner
from flask import Flask

from adapters.base import Adapter, ApiRequest, ApiResponse, Event, InboundRequest, PayloadInvalid, Source
from app.cli import main
from app.config.model import SourceConfig
from app.delivery.router import Router
from app.delivery.worker import DeliveryWorker, WorkerParts
from app.event.normalize import Arrival
from app.gateway import Gateway
from app.sources.catalog import SourceCatalog
from app.storage.records import EventQuery, InputRecord, RejectionQuery
from tests.support.gateway import ADMIN, WRITE, Clock, base_config, build_app
from tests.support.receiver import Receiver

PURCHASE = {"name": "Purchase", "user": {"memberId": "m-1"},
            "commerce": {"orderId": "1001", "value": 10, "currency": "USD"}}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def app_with(tmp_path: Path, clock: Clock, *destinations: dict[str, Any]) -> Flask:
    config = base_config(tmp_path / "delivery.db")
    config["destinations"] = list(destinations)
    return build_app(config, clock)


def hook(receiver: Receiver, **extra: Any) -> dict[str, Any]:
    return {"id": "hook", "type": "webhook", "url": receiver.url + "/in", **extra}


def worker_of(app: Flask) -> DeliveryWorker:
    gateway: Gateway = app.extensions["tagway"]
    return DeliveryWorker(gateway.worker_parts(), rng=random.Random(3))


def send(app: Flask, body: dict[str, Any]) -> None:
    assert app.test_client().post("/v1/events", json=body, headers=WRITE).status_code == 200


def deliveries(app: Flask, status: str | None = None) -> list[dict[str, Any]]:
    query = {"status": status} if status else {}
    return app.test_client().get("/v1/deliveries/items", query_string=query, headers=ADMIN).get_json()["items"]


def test_an_event_is_delivered_once_stored_and_nothing_is_sent_that_was_not(tmp_path: Path, clock: Clock,
                                                                            receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    assert app.extensions["tagway"].storage.delivery_counts()["hook"]["pending"] == 1, "queued with the event"
    app.test_client().post("/v1/events", json={"id": "bad", "name": "Purchase"}, headers=WRITE)  # refused
    assert worker_of(app).run_once() == 1
    [request] = receiver.received
    assert request.events()[0]["id"] == "e-1"
    assert [d["status"] for d in deliveries(app)] == ["delivered"]
    assert worker_of(app).run_once() == 0, "delivered rows are not sent again"


def test_filters_by_event_name_and_source(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver, events=["Purchase"], sources=["web"]))
    send(app, {"id": "p", **PURCHASE})
    send(app, {"id": "l", "name": "Lead"})
    from tests.support.gateway import OTHER_WRITE_KEY
    app.test_client().post("/v1/events", json={"id": "p2", **PURCHASE},
                           headers={"Authorization": f"Bearer {OTHER_WRITE_KEY}"})
    worker_of(app).run_once()
    assert [r.events()[0]["id"] for r in receiver.received] == ["p"]


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(tmp_path: Path, clock: Clock,
                                                                    receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.answers.extend([(503, {}), (500, {})])
    worker = worker_of(app)
    worker.run_once()
    [row] = deliveries(app)
    assert (row["status"], row["attempts"], row["lastError"][:23]) == ("pending", 1, "webhook answered 503: {")
    first_retry = row["nextAttemptAt"]
    assert "2026-11-24T12:00:00.500Z" <= first_retry <= "2026-11-24T12:00:01.000Z", "1 s backoff with jitter"
    assert worker.run_once() == 0, "not due yet"
    clock.advance(seconds=1)
    worker.run_once()
    [row] = deliveries(app)
    assert row["attempts"] == 2 and "2026-11-24T12:00:02.000Z" <= row["nextAttemptAt"] <= "2026-11-24T12:00:03.000Z"
    clock.advance(seconds=2)
    worker.run_once()
    assert [d["status"] for d in deliveries(app)] == ["delivered"]
    assert len(receiver.received) == 3


def test_retry_after_is_honoured(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.answers.append((429, {"Retry-After": "120"}))
    worker_of(app).run_once()
    assert deliveries(app)[0]["nextAttemptAt"] == "2026-11-24T12:02:00.000Z"


def test_a_final_answer_makes_a_dead_letter_that_can_be_replayed(tmp_path: Path, clock: Clock,
                                                                 receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.answers.append((410, {}))
    worker = worker_of(app)
    worker.run_once()
    [dead] = deliveries(app, "dead")
    assert dead["attempts"] == 1 and dead["lastError"].startswith("webhook answered 410")
    overview = app.test_client().get("/v1/deliveries", headers=ADMIN).get_json()
    assert overview["destinations"][0]["counts"]["dead"] == 1
    replay = app.test_client().post("/v1/deliveries/replay", json={"destination": "hook"}, headers=ADMIN)
    assert replay.get_json() == {"requeued": 1}
    worker.run_once()
    assert [d["status"] for d in deliveries(app)] == ["delivered"]


def test_replay_without_a_body_requeues_and_a_blank_body_is_refused(tmp_path: Path, clock: Clock,
                                                                    receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.answers.append((410, {}))
    worker_of(app).run_once()
    client = app.test_client()
    blank = client.post("/v1/deliveries/replay", data="\n", content_type="application/json", headers=ADMIN)
    assert blank.status_code == 400
    assert blank.get_json()["errors"][0]["field"] == "body"
    assert [d["status"] for d in deliveries(app)] == ["dead"]
    empty = client.post("/v1/deliveries/replay", headers=ADMIN)
    assert empty.status_code == 200 and empty.get_json() == {"requeued": 1}


def test_dead_after_the_attempts_limit(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver, max_attempts=2))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.default_status = 503
    worker = worker_of(app)
    worker.run_once()
    clock.advance(minutes=5)
    worker.run_once()
    [dead] = deliveries(app, "dead")
    assert dead["attempts"] == 2


def test_dead_after_the_age_limit(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver, max_age_hours=1))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.default_status = 503
    worker = worker_of(app)
    worker.run_once()
    clock.advance(hours=2)
    worker.run_once()
    assert [d["status"] for d in deliveries(app)] == ["dead"]


def test_a_delivery_claimed_by_a_worker_that_died_is_taken_over(tmp_path: Path, clock: Clock,
                                                                receiver: Receiver) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    storage = app.extensions["tagway"].storage
    storage.claim("hook", "2026-11-24T12:00:00.000Z", "2026-11-24T12:01:00.000Z", 10, False)  # then it "died"
    worker = worker_of(app)
    assert worker.run_once() == 0
    clock.advance(minutes=2)
    assert worker.run_once() == 1
    assert [d["status"] for d in deliveries(app)] == ["delivered"]


def test_each_users_events_reach_a_channel_destination_in_order(tmp_path: Path, clock: Clock) -> None:
    app = app_with(tmp_path, clock, {"id": "channel", "type": "channel", "access_key": "k" * 16,
                                     "access_secret": "s" * 16, "base_url": "https://api.channel.io"})
    for n, member in enumerate(["alice", "bob", "alice"]):
        send(app, {"id": f"e-{n}", "name": "Lead", "user": {"memberId": member}})
    send(app, {"id": "anon", "name": "Lead", "user": {"anonymousId": "x"}})  # Channel takes members only
    created: list[str] = []

    def create(request: Any, context: Any) -> dict[str, Any]:
        if request.json()["name"] == "Lead" and request.url.endswith("/u-alice/events") and not created:
            context.status_code = 503
            created.append("alice failed once")
            return {}
        created.append(request.url.split("/")[-2])
        return {"event": {}}

    with requests_mock.Mocker() as api:
        api.put(requests_mock.ANY, json=lambda request, _: {"user": {"id": "u-" + request.url.split("@")[-1]}})
        api.post(requests_mock.ANY, json=create)
        worker = worker_of(app)
        worker.run_once()
        assert created == ["alice failed once", "u-bob"], "alice's second event waits behind her first"
        clock.advance(seconds=5)
        worker.run_once()
        worker.run_once()
    assert created == ["alice failed once", "u-bob", "u-alice", "u-alice"]
    assert app.extensions["tagway"].storage.delivery_counts()["channel"] == {
        "pending": 0, "inflight": 0, "delivered": 3, "dead": 0}


def test_replay_command_queues_dead_letters_again(tmp_path: Path, clock: Clock, receiver: Receiver,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_with(tmp_path, clock, hook(receiver))
    send(app, {"id": "e-1", **PURCHASE})
    receiver.answers.append((400, {}))
    worker_of(app).run_once()
    import tomli_w
    config = base_config(tmp_path / "delivery.db")
    config["destinations"] = [hook(receiver)]
    (tmp_path / "tagway.toml").write_bytes(tomli_w.dumps(config).encode())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["replay", "--deliveries", "--destination", "hook"])
    assert result.exit_code == 0, result.output
    assert "queued 1 deliveries again" in result.output
    once = CliRunner().invoke(main, ["worker", "--once"])
    assert once.exit_code == 0 and "handled 1 outbox rows" in once.output
    assert len(receiver.received) == 2
    unknown = CliRunner().invoke(main, ["replay", "--deliveries", "--destination", "nope"])
    assert unknown.exit_code != 0 and "configured: @enrich, hook" in unknown.output


class EnrichingAdapter(Adapter):
    """A shop whose webhooks carry only an order id: the order, then its lines, come from its API."""

    name = "idshop"
    title = "Id-only shop"

    def verify(self, request: InboundRequest, source: Source) -> None:
        return None

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        return []

    def enrichment_request(self, event: Event, source: Source) -> ApiRequest | None:
        commerce = event.get("commerce", {})
        if "value" not in commerce:
            return ApiRequest(f"https://api.idshop.test/orders/{commerce['orderId']}", headers={"X-Token": "t"})
        if "items" not in commerce:
            return ApiRequest(f"https://api.idshop.test/orders/{commerce['orderId']}/lines")
        return None

    def enrich(self, event: Event, source: Source, response: ApiResponse) -> Event:
        if response.status != 200 or not isinstance(response.body, dict):
            raise PayloadInvalid("api.status", response.status, "200 with the order")
        commerce = {**event["commerce"]}
        if "lines" in response.body:
            commerce["items"] = [{"id": str(line["sku"]), "quantity": line["qty"]} for line in response.body["lines"]]
        else:
            commerce.update(value=response.body["total"], currency=response.body["currency"])
        return {**event, "name": "Purchase", "commerce": commerce}


def enrichment_setup(tmp_path: Path, clock: Clock, receiver: Receiver) -> tuple[Flask, DeliveryWorker]:
    app = app_with(tmp_path, clock, hook(receiver))
    gateway: Gateway = app.extensions["tagway"]
    adapter = EnrichingAdapter()
    sources = SourceCatalog({"shop": SourceConfig(id="shop", adapter="idshop")})
    router = Router(gateway.destinations, {"idshop": adapter}, sources)
    gateway.pipeline.router = router
    parts = WorkerParts(storage=gateway.storage, destinations=gateway.destinations, router=router,
                        adapters={"idshop": adapter}, sources=sources, checker=gateway.pipeline.checker,
                        settings=gateway.config.delivery, clock=clock)
    placed = {"id": "o-1", "name": "OrderPlaced", "source": {"id": "shop", "adapter": "idshop"},
              "commerce": {"orderId": "1001"}}
    arrival = Arrival(received_at=clock(), source=Source("shop", "idshop"))
    record = InputRecord(received_at="2026-11-24T12:00:00.000Z", endpoint="webhook", method="POST",
                         path="/v1/webhooks/shop", body=b"{}", body_size=2, source_id="shop", adapter="idshop")
    assert gateway.pipeline.accept(record, [placed], arrival).status == 200
    assert gateway.storage.delivery_counts() == {"@enrich": {"pending": 1, "inflight": 0, "delivered": 0,
                                                             "dead": 0}}
    return app, DeliveryWorker(parts, rng=random.Random(1))


def test_an_id_only_event_is_completed_from_the_api_before_delivery(tmp_path: Path, clock: Clock,
                                                                    receiver: Receiver) -> None:
    app, worker = enrichment_setup(tmp_path, clock, receiver)
    with requests_mock.Mocker(real_http=True) as api:
        order = api.get("https://api.idshop.test/orders/1001", json={"total": 59.9, "currency": "EUR"})
        api.get("https://api.idshop.test/orders/1001/lines", json={"lines": [{"sku": 7, "qty": 2}]})
        worker.run_once()
        worker.run_once()
    assert order.last_request.headers["X-Token"] == "t"
    [stored] = app.extensions["tagway"].storage.list_events(EventQuery())
    assert stored["event"]["name"] == "Purchase"
    assert stored["event"]["commerce"] == {"orderId": "1001", "value": 59.9, "currency": "EUR",
                                           "items": [{"id": "7", "quantity": 2}]}
    assert stored["event"]["receivedAt"] == "2026-11-24T12:00:00.000Z", "the original times stay"
    assert [r.events()[0]["name"] for r in receiver.received] == ["Purchase"], "delivered once, completed"


def test_a_passing_api_failure_retries_the_enrichment(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app, worker = enrichment_setup(tmp_path, clock, receiver)
    with requests_mock.Mocker(real_http=True) as api:
        api.get("https://api.idshop.test/orders/1001", status_code=503)
        worker.run_once()
    counts = app.extensions["tagway"].storage.delivery_counts()
    assert counts["@enrich"]["pending"] == 1 and "hook" not in counts, "nothing delivered before it is complete"


def test_a_final_api_failure_delivers_the_event_as_it_was(tmp_path: Path, clock: Clock, receiver: Receiver) -> None:
    app, worker = enrichment_setup(tmp_path, clock, receiver)
    with requests_mock.Mocker(real_http=True) as api:
        api.get("https://api.idshop.test/orders/1001", status_code=404, json={"error": "no such order"})
        worker.run_once()
        worker.run_once()
    [dead] = app.extensions["tagway"].storage.deliveries("@enrich", "dead")
    assert dead["lastError"] == "api.status: expected 200 with the order"
    assert dead["note"] == "delivered without enrichment"
    assert [r.events()[0]["name"] for r in receiver.received] == ["OrderPlaced"]


def test_incomplete_chunked_payloads_become_rejections(tmp_path: Path, clock: Clock) -> None:
    app = app_with(tmp_path, clock)
    storage = app.extensions["tagway"].storage
    storage.add_chunk("web", "p-lost", 0, 3, "abc", "2026-11-24T12:00:00.000Z")
    worker = worker_of(app)
    clock.advance(minutes=11)
    worker.run_once()
    [kept] = storage.list_rejections(RejectionQuery())
    assert kept["problems"][0]["value"] == "1 of 3 chunks" and kept["endpoint"] == "collect"
