"""A destination that answers with a redirect: nothing is sent where it points (a 307 would move the signed
POST, a 303 would turn it into a GET to any address); the attempt fails naming the Location, is retried
with backoff, and becomes a dead letter at the attempts limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.delivery.worker import DeliveryWorker
from tests.reliability.support import gateway_config
from tests.support.gateway import ADMIN, WRITE, Clock, build_app
from tests.support.receiver import Receiver


def rows(app: Flask) -> list[dict[str, Any]]:
    return app.test_client().get("/v1/deliveries/items", headers=ADMIN).get_json()["items"]


@pytest.mark.parametrize("status", [307, 303])
def test_a_redirect_is_a_failed_attempt_naming_its_location_and_is_never_followed(
        tmp_path: Path, database_url: str, clock: Clock, status: int) -> None:
    destination, elsewhere = Receiver(), Receiver()
    try:
        location = elsewhere.url + "/internal/admin"
        destination.answers.extend([(status, {"Location": location})] * 2)
        config = gateway_config(tmp_path, database_url, {}, {"id": "hook", "type": "webhook", "max_attempts": 2,
                                                              "url": destination.url + "/in"})
        app = build_app(config, clock)
        sent = app.test_client().post("/v1/events", json={"id": "e-1", "name": "Lead"}, headers=WRITE)
        assert sent.status_code == 200
        worker = DeliveryWorker(app.extensions["tagway"].worker_parts())
        error = f"webhook answered {status} to Location {location}; redirects are not followed"

        assert worker.run_once() == 1
        [row] = rows(app)
        assert (row["status"], row["attempts"], row["lastError"]) == ("pending", 1, error), "retried later"
        clock.advance(seconds=5)
        assert worker.run_once() == 1
        [row] = rows(app)
        assert (row["status"], row["attempts"], row["lastError"]) == ("dead", 2, error), "a dead letter at the limit"

        assert [r.method for r in destination.received] == ["POST", "POST"]
        assert elsewhere.received == [], "nothing reached the address the redirect named"
    finally:
        destination.close()
        elsewhere.close()
