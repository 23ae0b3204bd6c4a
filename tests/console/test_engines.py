"""The console's own SQL on both storage engines: live rows, the stream, source activity, details, deliveries."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from app.delivery.worker import DeliveryWorker
from tests.console.conftest import Console, sign_in
from tests.console.test_pages import text_of
from tests.support.gateway import WRITE, Clock

PURCHASE = {"name": "Purchase", "user": {"memberId": "m-1"},
            "commerce": {"orderId": "1001", "value": 25.5, "currency": "USD"}}


def test_every_console_page_reads_its_engine(make_app: Callable[..., Flask], database_url: str, clock: Clock) -> None:
    app = make_app(storage={"url": database_url})
    app.config["TAGWAY_CONSOLE_STREAM_SECONDS"] = 0.6
    client = app.test_client()
    console = Console(client, sign_in(client))
    assert client.post("/v1/events", json={"id": "old", "name": "Lead"}, headers=WRITE).status_code == 200
    clock.advance(hours=3)
    cursor = console.get("/console/api/live/recent").get_json()["cursor"]
    assert client.post("/v1/events", json=PURCHASE, headers=WRITE).status_code == 200
    assert client.post("/v1/events", json={"name": "Purchase", "user": {"memberId": "m-2"}},
                       headers=WRITE).status_code == 400

    recent = console.get("/console/api/live/recent?user=m-2").get_json()["rows"]
    assert [row["key"] for row in recent] == ["r1"]
    streamed = console.get(f"/console/api/live/stream?after={cursor}").text
    assert '"key":"e2"' in streamed and '"key":"r1"' in streamed and '"key":"e1"' not in streamed

    sources = text_of(console.get("/console/sources").text)
    website = sources[sources.index("Source web"):sources.index("Source backend")]
    assert "Events accepted 1 2" in website and "Rejected 1 1" in website
    assert "Last event: 2026-11-24T15:00:00.000Z" in website

    assert "The canonical event stored" in text_of(console.get("/console/events/2").text)
    assert "commerce" in text_of(console.get("/console/rejections/1").text)

    gateway = app.extensions["tagway"]
    DeliveryWorker(gateway.worker_parts()).run_once()  # the receiver answers 410
    deliveries = console.get("/console/deliveries")
    assert "Dead 1" in text_of(deliveries.text)
    delivery_id = re.search(r'id="delivery-(\d+)"', deliveries.text)[1]  # type: ignore[index]
    done = console.post("/console/deliveries/replay", {"destination": "crm", "id": delivery_id})
    assert "Dead 0" in text_of(console.get(done.headers["Location"]).text)
