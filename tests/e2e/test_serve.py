"""End to end through `tagway serve` (gunicorn, several workers): ingestion, metrics, logs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests

from app.metrics import FLUSH_INTERVAL_SECONDS
from tests.support.gateway import ADMIN, ADMIN_TOKEN, OTHER_WRITE_KEY, SIGNING_SECRET, WRITE, WRITE_KEY, base_config
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("serve")
    config = write_config(directory / "tagway.toml", base_config(directory / "serve.db"))
    with serving(config, directory / "gateway.log", workers=3) as running:
        yield running


def metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_events_sent_over_http_are_stored_and_listed(gateway: RunningGateway) -> None:
    event = {"id": "e2e-1", "name": "PageView", "page": {"url": "https://shop.example.com/?utm_source=x"}}
    response = requests.post(f"{gateway.url}/v1/events", json=event, headers=WRITE, timeout=5)
    assert response.status_code == 200 and response.json()["stored"] == 1
    listed = requests.get(f"{gateway.url}/v1/events", params={"id": "e2e-1"}, headers=ADMIN, timeout=5).json()
    assert listed["items"][0]["event"]["page"]["canonicalUrl"] == "https://shop.example.com/"


def settled_metrics(url: str) -> str:
    """/metrics once every worker has written what earlier requests counted (it writes once a second)."""
    previous = requests.get(f"{url}/metrics", timeout=5).text
    for _ in range(10):
        time.sleep(FLUSH_INTERVAL_SECONDS * 1.5)
        current = requests.get(f"{url}/metrics", timeout=5).text
        if metric(current, "tagway_events_total") == metric(previous, "tagway_events_total"):
            return current
        previous = current
    return previous


def test_metrics_add_up_over_all_workers(gateway: RunningGateway) -> None:
    # The module's earlier tests may still have counts to write: they must not land in this test's sum.
    before = settled_metrics(gateway.url)
    sent = 60
    for n in range(sent):  # a new connection each time: gunicorn spreads them over its workers
        response = requests.post(f"{gateway.url}/v1/events", json={"id": f"m-{n}", "name": "Lead"},
                                 headers={**WRITE, "Connection": "close"}, timeout=5)
        assert response.status_code == 200
    # Each worker writes its counts once a second: within a few seconds every request is in.
    deadline = time.monotonic() + 10
    while True:
        after = requests.get(f"{gateway.url}/metrics", timeout=5).text
        stored = metric(after, "tagway_events_total", source="web", outcome="stored") - \
            metric(before, "tagway_events_total", source="web", outcome="stored")
        requests_counted = metric(after, "tagway_http_requests_total", route="/v1/events", status="200") - \
            metric(before, "tagway_http_requests_total", route="/v1/events", status="200")
        if (stored, requests_counted) == (sent, sent) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert stored == sent
    assert requests_counted == sent
    assert "tagway_http_request_duration_seconds_bucket" in after


def test_health_readiness_and_documents(gateway: RunningGateway) -> None:
    assert requests.get(f"{gateway.url}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{gateway.url}/readyz", timeout=5).json() == {"status": "ok"}
    document = requests.get(f"{gateway.url}/v1/openapi.json", timeout=5).json()
    assert document["openapi"].startswith("3.1")
    assert requests.get(f"{gateway.url}/v1/schema/event", timeout=5).json()["title"].startswith("tagway")


def test_logs_are_json_and_never_carry_secrets(gateway: RunningGateway) -> None:
    # Secrets in every place a careless log line could pick them up.
    requests.post(f"{gateway.url}/v1/events", data=b"{not json", headers={**WRITE, "Content-Type": "application/json"},
                  timeout=5)
    requests.post(f"{gateway.url}/v1/events", json={"name": "PageView", "properties": {"k": WRITE_KEY}},
                  headers=WRITE, timeout=5)
    requests.post(f"{gateway.url}/v1/events?writeKey={WRITE_KEY}", json={"name": "Lead"},
                  headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=5)
    requests.post(f"{gateway.url}/v1/webhooks/backend", data=b"{}", headers={"webhook-signature": SIGNING_SECRET},
                  timeout=5)
    requests.get(f"{gateway.url}/v1/events", headers={"Authorization": f"Bearer {OTHER_WRITE_KEY}"}, timeout=5)
    log = gateway.log()
    for secret in (WRITE_KEY, OTHER_WRITE_KEY, ADMIN_TOKEN, SIGNING_SECRET):
        assert secret not in log
    ours = [line for line in log.splitlines() if '"logger": "tagway' in line]
    assert ours and all(re.match(r'^\{"time": ', line) for line in ours)


def test_the_start_up_banner_names_the_console_and_no_address_problem(gateway: RunningGateway) -> None:
    log = gateway.log()
    assert "console: https://gateway.example.com/console" in log
    assert "warning: the public URL" not in log
