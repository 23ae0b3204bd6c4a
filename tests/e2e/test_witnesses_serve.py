"""One purchase, many witnesses through `tagway serve` (gunicorn, several workers) and its in-process delivery.

The three witnesses of an order are sent at the same moment, so different gunicorn workers store them
side by side: the destination still gets one Purchase, carrying what each of them knew.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.adapters.shopify.signer import signer
from tests.delivery.test_one_purchase import (
    GTM_KEY,
    ORDER_SAMPLE,
    PIXEL_KEY,
    SHOPIFY_SECRET,
    SITE,
    expected_purchase,
    pixel_checkout_completed,
)
from tests.support.gateway import ADMIN, base_config
from tests.support.receiver import Receiver
from tests.support.server import serving, write_config

pytestmark = pytest.mark.e2e
ORDER_ID = 820982911946154508


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def witnesses_over_http(url: str) -> list[Any]:
    """The webhook, Shopify's custom pixel and the GTM tag of one order, as (method, url, keyword arguments)."""
    order = json.loads(ORDER_SAMPLE.read_bytes())
    order["id"] = ORDER_ID
    body, headers = signer.sign(json.dumps(order).encode(), {
        "Content-Type": "application/json", "User-Agent": "Shopify-Captain-Hook", "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "jsmith.myshopify.com", "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}, {"secret": SHOPIFY_SECRET}) or (b"", {})
    push = {"event": "purchase", "ecommerce": {
        "transaction_id": str(ORDER_ID), "value": 404.95, "currency": "USD",
        "items": [{"item_id": "788032119674292900", "item_name": "Aviator sunglasses", "price": 89.99,
                   "quantity": 1}]}}
    gtm = {"v": 1, "id": "gtm-1", "event": "purchase", "data": push,
           "page": {"url": "https://shop.example/thank-you?utm_source=newsletter&utm_medium=email"
                           "&utm_campaign=black-friday", "title": "Thank you"},
           "user": {"anonymousId": "gtm-anon-3"}}
    return [
        ("POST", f"{url}/v1/webhooks/my-shop", {"data": body, "headers": headers}),
        ("POST", f"{url}/v1/collect", {"params": {"k": PIXEL_KEY},
                                       "data": json.dumps(pixel_checkout_completed(ORDER_ID)),
                                       "headers": {"Content-Type": "text/plain;charset=UTF-8",
                                                   "User-Agent": "Mozilla/5.0 (shop checkout)"}}),
        ("GET", f"{url}/v1/collect", {"params": {"k": GTM_KEY, "d": base64.b64encode(json.dumps(gtm).encode())},
                                      "headers": {"User-Agent": "Mozilla/5.0 (thank-you page)"}}),
    ]


def test_witnesses_sent_at_once_to_several_workers_deliver_one_purchase(database_url: str, tmp_path: Path,
                                                                        receiver: Receiver) -> None:
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database_url}
    config["sources"] = [
        {"id": "my-shop", "adapter": "shopify", "secret": SHOPIFY_SECRET, "site": SITE},
        {"id": "shop-pixel", "adapter": "shopify_pixel", "write_key": PIXEL_KEY, "site": SITE},
        {"id": "shop-gtm", "adapter": "gtm", "write_key": GTM_KEY, "site": SITE},
    ]
    config["destinations"] = [{"id": "crm", "type": "webhook", "url": receiver.url + "/in"}]
    config["delivery"] = {"witness_wait_seconds": 3, "poll_seconds": 0.1}
    with serving(write_config(tmp_path / "tagway.toml", config), tmp_path / "gateway.log", workers=3) as gateway:
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda call: requests.request(call[0], call[1], timeout=10, **call[2]),
                                    witnesses_over_http(gateway.url)))
        assert [a.status_code for a in answers] == [200, 200, 200]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not receiver.received:
            time.sleep(0.2)
        rows = requests.get(f"{gateway.url}/v1/deliveries/items", headers=ADMIN, timeout=5).json()["items"]
        listed = requests.get(f"{gateway.url}/v1/events", headers=ADMIN, timeout=5).json()["items"]
    assert [(row["destination"], row["status"]) for row in rows] == [("crm", "delivered")], "one delivery"
    [request] = receiver.received
    [delivered] = request.events()
    expected = expected_purchase(ORDER_ID)
    assert delivered == {**expected, "receivedAt": delivered["receivedAt"]}
    [item] = listed
    assert sorted(w["sourceId"] for w in item["witnesses"]) == ["my-shop", "shop-gtm", "shop-pixel"]
