"""The gateway behind Debian's Caddy and nginx, configured by the files in deploy/: events, pixels and
webhooks go through, the client's address is the one the proxy saw (a spoofed X-Forwarded-For is not
believed), bodies up to the gateway's limit pass, and the console's live stream is not held back.

The client connects from 127.0.0.2 and the proxy reaches the gateway from 127.0.0.1, so the address
stored tells the two apart. Plain http on local ports: no public certificate can be had here
(docs/deploy.md says what changes on a real server).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from adapters.testing import b64_hmac
from tests.support.gateway import ADMIN, ADMIN_TOKEN, WRITE_KEY, base_config
from tests.support.proxies import PROXIES, ensure_proxies, proxy
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOPIFY = ROOT / "tests" / "adapters" / "shopify"
SHOP_SECRET = "shpss_proxy_test_0123456789abcdef"
GTM_KEY = "wk_gtm_proxy_test_0123456789abcdef"
CLIENT_ADDRESS = "127.0.0.2"
SPOOFED = "203.0.113.7"
BODY_LIMIT = 512 * 1024


@dataclass
class Answer:
    """A response read whole."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    """HTTP through the proxy from CLIENT_ADDRESS."""

    url: str

    def connection(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.url)
        return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60,
                                          source_address=(CLIENT_ADDRESS, 0))

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    ensure_proxies()
    folder = tmp_path_factory.mktemp("proxied")
    config = base_config(folder / "tagway.db")
    config["server"]["trusted_proxies"] = 1
    config["storage"]["keep_accepted_inputs"] = True
    config["sources"] += [{"id": "site", "adapter": "gtm", "write_key": GTM_KEY},
                          {"id": "shop", "adapter": "shopify", "secret": SHOP_SECRET}]
    # Four workers give the console two live-stream slots: the stream a previous test closed may hold one
    # until the gateway's next heartbeat notices.
    with serving(write_config(folder / "tagway.toml", config), folder / "gateway.log", workers=4) as running:
        yield running


@pytest.fixture(params=PROXIES)
def client(request: pytest.FixtureRequest, gateway: RunningGateway, tmp_path: Path) -> Iterator[Client]:
    with proxy(request.param, tmp_path / request.param, f"127.0.0.1:{gateway.port}") as url:
        yield Client(url)


def stored(gateway: RunningGateway, source: str, anonymous_id: str | None = None) -> dict[str, Any]:
    """The newest stored event of a source (of one visitor, when given), read from the gateway directly."""
    query = {"source": source, "limit": 1, **({"user": anonymous_id} if anonymous_id else {})}
    items = requests.get(f"{gateway.url}/v1/events", params=query, headers=ADMIN, timeout=10).json()["items"]
    assert items, f"nothing stored for {query}"
    return dict(items[0]["event"])


def test_an_api_event_is_stored_with_the_clients_address_not_a_spoofed_one(client: Client,
                                                                          gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    answer = client.send("POST", "/v1/events", json.dumps({"name": "PageView", "user": {"anonymousId": visitor},
                                                           "page": {"url": "https://shop.example.com/"}}).encode(),
                         {"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/json",
                          "X-Forwarded-For": SPOOFED})
    assert answer.status == 200, answer.body
    assert stored(gateway, "web", visitor)["context"]["ip"] == CLIENT_ADDRESS


def test_a_pixel_is_stored_with_the_clients_address(client: Client, gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    payload = {"v": 1, "id": uuid.uuid4().hex, "event": "gtm.js", "user": {"anonymousId": visitor},
               "page": {"url": "https://shop.example.com/shoes", "title": "Shoes"}}
    data = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    answer = client.send("GET", "/v1/collect?" + urlencode({"k": GTM_KEY, "v": 1, "d": data}),
                         headers={"X-Forwarded-For": SPOOFED})
    assert answer.status == 200 and answer.headers["Content-Type"] == "image/gif"
    assert "X-Tagway-Problem" not in answer.headers
    assert stored(gateway, "site", visitor)["context"]["ip"] == CLIENT_ADDRESS


def test_a_signed_webhook_is_verified_and_stored_with_the_clients_address(client: Client,
                                                                         gateway: RunningGateway) -> None:
    case = json.loads((SHOPIFY / "cases" / "orders_create.json").read_text())
    body = (SHOPIFY / "samples" / "orders_create.json").read_bytes()
    headers = {**case["request"]["headers"], "X-Shopify-Webhook-Id": str(uuid.uuid4()),
               "X-Shopify-Event-Id": str(uuid.uuid4()), "X-Forwarded-For": SPOOFED,
               "X-Shopify-Hmac-Sha256": b64_hmac(SHOP_SECRET.encode(), body)}
    answer = client.send("POST", "/v1/webhooks/shop", body, headers)
    assert answer.status == 200, answer.body
    event = stored(gateway, "shop")
    assert event["name"] == "Purchase" and event["source"]["deliveryId"] == headers["X-Shopify-Webhook-Id"]
    assert event["context"]["ip"] == CLIENT_ADDRESS
    tampered = client.send("POST", "/v1/webhooks/shop", body + b" ", headers)
    assert tampered.status == 401, "the body reaches the gateway byte for byte, so a changed one fails"


def test_bodies_up_to_the_gateways_limit_pass_and_larger_ones_get_its_own_answer(client: Client) -> None:
    auth = {"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/json"}
    padding = {f"note{n}": "x" * 500 for n in range(20)}
    batch = [{"name": "Lead", "user": {"anonymousId": f"big-{n}"}, "properties": padding} for n in range(45)]
    body = json.dumps({"batch": batch}).encode()
    assert 400 * 1024 < len(body) <= BODY_LIMIT
    answer = client.send("POST", "/v1/events", body, auth)
    assert answer.status == 200, answer.body[:300]
    assert answer.json()["stored"] == 45
    too_large = json.dumps({"batch": batch * 2}).encode()
    assert BODY_LIMIT < len(too_large) < 1024 * 1024
    refused = client.send("POST", "/v1/events", too_large, auth)
    assert refused.status == 413
    assert refused.headers["Content-Type"] == "application/problem+json", "the gateway's answer, not the proxy's"


def test_the_gateway_sees_the_host_and_scheme_the_client_used(client: Client, gateway: RunningGateway) -> None:
    answer = client.send("POST", "/v1/events", json.dumps({"name": "Purchase"}).encode(),
                         {"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/json"})
    assert answer.status == 400
    rejection_id = answer.json()["rejectionId"]
    kept = requests.get(f"{gateway.url}/v1/rejections/{rejection_id}", headers=ADMIN, timeout=10).json()
    headers = {name.lower(): value for name, value in kept["input"]["headers"].items()}
    assert urlsplit("//" + headers["host"]).hostname == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-for"].split(",")[-1].strip() == CLIENT_ADDRESS


def sign_in(client: Client) -> str:
    """Sign in to the console through the proxy; returns the session cookie to send."""
    form = client.send("GET", "/console/login")
    login_cookie = form.headers["Set-Cookie"].split(";")[0]
    found = re.search(rb'name="csrf_token" value="([^"]+)"', form.body)
    assert found
    answer = client.send("POST", "/console/login", urlencode({"token": ADMIN_TOKEN, "csrf_token": found[1].decode()})
                         .encode(), {"Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie})
    assert answer.status == 303, answer.body[:300]
    session = next(value.split(";")[0] for name, value in answer.headers.items()
                   if name.lower() == "set-cookie" and value.startswith("tagway_console="))
    return session


def test_the_live_stream_reaches_the_browser_while_it_is_open(client: Client) -> None:
    """An event sent after the stream's first line arrives on the same, still open stream.

    A proxy that buffered the stream would hand over its first line only when the stream ends (after
    25 s), and the event sent then would not be on it.
    """
    cookie = sign_in(client)
    connection = client.connection()
    connection.request("GET", "/console/api/live/stream", headers={"Cookie": cookie, "Accept": "text/event-stream"})
    response = connection.getresponse()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    assert response.readline().startswith(b": tagway live events")
    visitor = f"streamed-{uuid.uuid4().hex[:8]}"
    sent = client.send("POST", "/v1/events", json.dumps({"name": "Lead", "user": {"anonymousId": visitor}}).encode(),
                       {"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/json"})
    assert sent.status == 200
    while True:
        line = response.readline()
        assert line, "the stream ended before the event arrived"
        assert not line.startswith(b"event: reconnect"), "the stream ended before the event arrived"
        if line.startswith(b"data: ") and visitor.encode() in line:
            break
    connection.close()
