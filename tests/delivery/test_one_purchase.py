"""One purchase, many witnesses, through the real routes and a real receiver, on both engines.

A Shopify order arrives three times: the signed `orders/create` webhook (the order's `id`, a number), the
shop's custom pixel's `checkout_completed` (`checkout.order.id`, here as a `gid://shopify/Order/` GID) posted
to `/v1/collect` as pixel.js posts it, and the GTM tag's `purchase`. The three sources declare the same
site, so the destination gets one Purchase per order, the same whichever witness arrived first, its fields
as docs/witnesses.md says: the order from the webhook, the visit from the platform's pixel.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.delivery.worker import DeliveryWorker
from app.event.witnesses import site_event_id
from tests.adapters.shopify.signer import signer
from tests.support.gateway import ADMIN, FROZEN_NOW, Clock, base_config, build_app
from tests.support.receiver import Receiver

SITE = "shop.example"
SHOPIFY_SECRET = "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"
GTM_KEY = "wk_test_gtm_witness_0123456789"
PIXEL_KEY = "wk_test_pixel_witness_012345678"
ORDER_SAMPLE = Path(__file__).parents[1] / "adapters" / "shopify" / "samples" / "orders_create.json"
SAMPLE_ORDER_ID = 820982911946154508
ARRIVALS = list(permutations(("webhook", "pixel", "gtm")))
PIXEL_CLIENT_ID = "b9a3c3b5-7c43-4b1f-a2d6-0e1f2f1c9e3d"
PIXEL_PAGE = "https://shop.example/checkouts/cn/abc/thank-you?utm_source=instagram"
WAIT_SECONDS = 60


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def shop(database_url: str, tmp_path: Path, receiver: Receiver) -> tuple[Flask, Clock]:
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database_url}
    config["sources"] = [
        {"id": "my-shop", "adapter": "shopify", "secret": SHOPIFY_SECRET, "site": SITE},
        {"id": "shop-pixel", "adapter": "shopify_pixel", "write_key": PIXEL_KEY, "site": SITE},
        {"id": "shop-gtm", "adapter": "gtm", "write_key": GTM_KEY, "site": SITE},
    ]
    config["destinations"] = [{"id": "crm", "type": "webhook", "url": receiver.url + "/in", "events": ["Purchase"]}]
    config["delivery"] = {"witness_wait_seconds": WAIT_SECONDS}
    clock = Clock()
    return build_app(config, clock), clock


def send_webhook(app: Flask, order_id: int) -> dict[str, Any]:
    """Shopify's orders/create example for this order, signed as Shopify signs it."""
    order = json.loads(ORDER_SAMPLE.read_bytes())  # Python's json keeps the 64-bit ids exact
    order["id"] = order_id
    body, headers = signer.sign(json.dumps(order).encode(), {
        "Content-Type": "application/json", "User-Agent": "Shopify-Captain-Hook", "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "jsmith.myshopify.com", "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}, {"secret": SHOPIFY_SECRET}) or (b"", {})
    response = app.test_client().post("/v1/webhooks/my-shop", data=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def pixel_checkout_completed(order_id: int, client_id: str = PIXEL_CLIENT_ID) -> dict[str, Any]:
    """The envelope pixel.js posts for Shopify's checkout_completed of this order (as the shopify_pixel cases)."""
    location = {"href": PIXEL_PAGE, "host": "shop.example", "hostname": "shop.example", "origin": "https://shop.example",
                "pathname": "/checkouts/cn/abc/thank-you", "protocol": "https:", "search": "?utm_source=instagram"}
    checkout = {"currencyCode": "USD", "email": "typed-at-checkout@example.com", "token": "abc",
                "totalPrice": {"amount": 404.95, "currencyCode": "USD"}, "lineItems": [],
                "order": {"id": f"gid://shopify/Order/{order_id}", "customer": {"id": "gid://shopify/Customer/1"}}}
    return {"v": 1, "shop": "jsmith.myshopify.com", "library": {"name": "tagway-shopify-pixel", "version": "1.0.0"},
            "consent": {"analyticsProcessingAllowed": True, "marketingAllowed": True,
                        "preferencesProcessingAllowed": True, "saleOfDataAllowed": False},
            "event": {"id": f"sh-{order_id}", "name": "checkout_completed", "type": "standard", "clientId": client_id,
                      "seq": 3, "timestamp": "2021-12-31T19:00:04-05:00", "data": {"checkout": checkout},
                      "context": {"document": {"location": location, "referrer": "", "title": "Thank you"},
                                  "navigator": {"language": "en-US", "userAgent": "Mozilla/5.0 (shop checkout)"}}}}


def send_pixel(app: Flask, order_id: int) -> dict[str, Any]:
    """The Shopify custom pixel's checkout_completed, posted to /v1/collect as text/plain like pixel.js does."""
    response = app.test_client().post("/v1/collect", query_string={"k": PIXEL_KEY},
                                      data=json.dumps(pixel_checkout_completed(order_id)),
                                      headers={"Content-Type": "text/plain;charset=UTF-8",
                                               "User-Agent": "Mozilla/5.0 (shop checkout)"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def send_gtm(app: Flask, order_id: int) -> dict[str, Any]:
    """The GTM web tag's purchase pixel from the thank-you page (as tests/test_collect.py sends one)."""
    push = {"event": "purchase", "ecommerce": {
        "transaction_id": str(order_id), "value": 404.95, "currency": "USD",
        "items": [{"item_id": "788032119674292900", "item_name": "Aviator sunglasses", "price": 89.99,
                   "quantity": 1}]}}
    payload = {"v": 1, "id": f"gtm-{order_id}", "event": "purchase", "data": push,
               "page": {"url": "https://shop.example/thank-you?utm_source=newsletter&utm_medium=email"
                               "&utm_campaign=black-friday", "title": "Thank you"},
               "user": {"anonymousId": "gtm-anon-3"}}
    response = app.test_client().get("/v1/collect", headers={"User-Agent": "Mozilla/5.0 (thank-you page)"},
                                     query_string={"k": GTM_KEY, "d": base64.b64encode(json.dumps(payload).encode())})
    assert response.status_code == 200, response.headers.get("X-Tagway-Result")
    result = response.headers["X-Tagway-Result"]
    stored = int(result.split("stored ")[1].split(",")[0])
    return {"stored": stored, "duplicates": int(result.split("duplicates ")[1].split(",")[0])}


SENDERS = {"webhook": send_webhook, "pixel": send_pixel, "gtm": send_gtm}


def expected_purchase(order_id: int) -> dict[str, Any]:
    """docs/witnesses.md: the order from the signed webhook, the visit from the platform's pixel before GTM."""
    return {
        "id": site_event_id(SITE, "Purchase", str(order_id)),
        "name": "Purchase",
        "occurredAt": "2022-01-01T00:00:00.000Z",  # the order's created_at, as the platform says
        "receivedAt": "2026-11-24T12:00:00.000Z",  # the first arrival, whichever it was
        "source": {"id": "my-shop", "adapter": "shopify", "topic": "orders/create",
                   "deliveryId": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "shop": "jsmith.myshopify.com"},
        "user": {"anonymousId": PIXEL_CLIENT_ID, "memberId": "115310627314723954", "email": "jon@example.com",
                 "traits": {"firstName": "John", "lastName": "Smith"}},
        "page": {"url": PIXEL_PAGE, "title": "Thank you", "canonicalUrl": "https://shop.example/checkouts/cn/abc/thank-you",
                 "path": "/checkouts/cn/abc/thank-you"},
        "properties": {"orderName": "#9999", "financialStatus": "voided", "test": True, "checkoutToken": "abc"},
        "commerce": {"orderId": str(order_id), "currency": "USD", "value": 404.95, "items": [
            {"id": "788032119674292900", "quantity": 1, "name": "Aviator sunglasses", "price": 89.99,
             "sku": "SKU2006-001"},
            {"id": "LENS-PROTECT-2YR", "quantity": 1, "name": "Lens Protection Plan (2 Year)", "price": 19.99,
             "sku": "LENS-PROTECT-2YR"},
            {"id": "CASE-LEATHER-PREM", "quantity": 1, "name": "Premium Leather Case", "price": 24.99,
             "sku": "CASE-LEATHER-PREM"},
            {"id": "788032119674292900", "quantity": 1, "name": "Mid-century lounger", "price": 159.99,
             "sku": "SKU2006-020"},
            {"id": "788032119674292900", "quantity": 1, "name": "Coffee table", "price": 119.99,
             "sku": "SKU2006-035"}]},
        "context": {"locale": "en-US", "library": {"name": "tagway-shopify-pixel", "version": "1.0.0"},
                    "consent": {"analytics": True, "marketing": True, "preferences": True, "saleOfData": False},
                    "ip": "127.0.0.1", "userAgent": "Mozilla/5.0 (shop checkout)", "campaign": {"source": "instagram"}},
    }


def test_webhook_pixel_and_gtm_in_any_order_deliver_one_purchase(shop: tuple[Flask, Clock],
                                                                 receiver: Receiver) -> None:
    app, clock = shop
    orders = {arrival: SAMPLE_ORDER_ID + n for n, arrival in enumerate(ARRIVALS)}
    for arrival, order_id in orders.items():
        clock.now = FROZEN_NOW  # every order's first witness arrives at the same time...
        answers = []
        for witness in arrival:
            answers.append(SENDERS[witness](app, order_id))
            clock.advance(seconds=1)  # ...and the others one second apart
        assert [(a["stored"], a["duplicates"]) for a in answers] == [(1, 0), (0, 1), (0, 1)], arrival

    worker = DeliveryWorker(app.extensions["tagway"].worker_parts(), rng=random.Random(3))
    assert worker.run_once() == 0 and receiver.received == [], "nothing goes out before the witnesses' wait"
    clock.advance(seconds=WAIT_SECONDS)
    assert worker.run_once() == len(ARRIVALS)
    delivered = {event["commerce"]["orderId"]: event for request in receiver.received for event in request.events()}
    assert len(delivered) == len(ARRIVALS) == len(receiver.received), "one Purchase per order"
    for arrival, order_id in orders.items():
        assert delivered[str(order_id)] == expected_purchase(order_id), f"arrived as {' → '.join(arrival)}"
    assert worker.run_once() == 0


def test_the_admin_api_shows_the_merged_event_and_its_witnesses(shop: tuple[Flask, Clock]) -> None:
    app, clock = shop
    for witness in ("gtm", "webhook", "pixel"):
        SENDERS[witness](app, SAMPLE_ORDER_ID)
        clock.advance(seconds=1)
    listing = app.test_client().get("/v1/events", query_string={"name": "Purchase"}, headers=ADMIN).get_json()
    [item] = listing["items"]
    assert item["event"] == expected_purchase(SAMPLE_ORDER_ID)
    assert item["witnesses"] == [
        {"sourceId": "shop-gtm", "kind": "browser", "receivedAt": "2026-11-24T12:00:00.000Z"},
        {"sourceId": "my-shop", "kind": "webhook", "receivedAt": "2026-11-24T12:00:01.000Z"},
        {"sourceId": "shop-pixel", "kind": "pixel", "receivedAt": "2026-11-24T12:00:02.000Z"}]
