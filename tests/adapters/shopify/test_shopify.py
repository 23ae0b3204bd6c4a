"""Shopify adapter: the official HMAC test vector, secret rotation, header families and event ids."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, PayloadInvalid, SignatureInvalid, Source
from adapters.shopify import ShopifySettings, adapter
from adapters.shopify.signature import body_signature

VECTOR = json.loads((Path(__file__).parent / "hmac_test_vector.json").read_text(encoding="utf-8"))
SAMPLES = Path(__file__).parent / "samples"


def request(body: bytes, **headers: str) -> InboundRequest:
    return InboundRequest(method="POST", path="/v1/webhooks/shop", headers=Headers(headers), body=body)


def source(**settings: str) -> Source:
    return Source("shop", "shopify", ShopifySettings().load(settings))


def signed(secret: str, body: bytes) -> str:
    """Shopify's scheme written out with the standard library, independent of the adapter."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_official_vector_gives_the_expected_signature() -> None:
    assert body_signature(VECTOR["secret"], VECTOR["raw_body"].encode()) == VECTOR["expected_x_shopify_hmac_sha256"]


@pytest.mark.parametrize("hmac_header", ["X-Shopify-Hmac-Sha256", "shopify-hmac-sha256"])
def test_official_vector_verifies_in_both_header_families(hmac_header: str) -> None:
    inbound = request(VECTOR["raw_body"].encode(), **{hmac_header: VECTOR["expected_x_shopify_hmac_sha256"]})
    adapter.verify(inbound, source(secret=VECTOR["secret"]))


def test_official_vector_fails_with_another_secret_or_body() -> None:
    header = {"X-Shopify-Hmac-Sha256": VECTOR["expected_x_shopify_hmac_sha256"]}
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(VECTOR["raw_body"].encode(), **header), source(secret="another_secret"))
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(b'{"foo":"bar"}', **header), source(secret=VECTOR["secret"]))


def test_missing_header_names_it() -> None:
    with pytest.raises(SignatureInvalid) as caught:
        adapter.verify(request(b"{}"), source(secret="s"))
    assert caught.value.header == "X-Shopify-Hmac-Sha256"


def test_previous_secret_is_accepted_during_a_rotation_and_only_then() -> None:
    body = b'{"id": 1}'
    old_signature = {"X-Shopify-Hmac-Sha256": signed("old-secret", body)}
    adapter.verify(request(body, **old_signature), source(secret="new-secret", previous_secret="old-secret"))
    new_signature = {"X-Shopify-Hmac-Sha256": signed("new-secret", body)}
    adapter.verify(request(body, **new_signature), source(secret="new-secret", previous_secret="old-secret"))
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(body, **old_signature), source(secret="new-secret"))


def test_an_empty_previous_secret_is_no_key() -> None:
    body = b'{"id": 1}'
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(body, **{"X-Shopify-Hmac-Sha256": signed("", body)}),
                       source(secret="new-secret", previous_secret=""))


def test_the_secret_is_required() -> None:
    with pytest.raises(ValidationError):
        ShopifySettings().load({})
    with pytest.raises(ValidationError):
        ShopifySettings().load({"secret": ""})


def order_request(topic: str, event_id: str, webhook_id: str, body: bytes | None = None) -> InboundRequest:
    return request(body if body is not None else (SAMPLES / "orders_create.json").read_bytes(),
                   **{"X-Shopify-Topic": topic, "X-Shopify-Event-Id": event_id, "X-Shopify-Webhook-Id": webhook_id,
                      "X-Shopify-Shop-Domain": "jsmith.myshopify.com"})


def test_one_event_id_reaching_two_subscriptions_is_one_event() -> None:
    first = adapter.parse(order_request("orders/create", "evt-1", "delivery-a"), source(secret="s"))
    second = adapter.parse(order_request("orders/create", "evt-1", "delivery-b"), source(secret="s"))
    assert first[0]["id"] == second[0]["id"]


def test_different_topics_of_one_action_are_different_events() -> None:
    placed = adapter.parse(order_request("orders/create", "evt-1", "delivery-a"), source(secret="s"))
    paid = adapter.parse(order_request("orders/paid", "evt-1", "delivery-a"), source(secret="s"))
    assert placed[0]["id"] != paid[0]["id"]


def test_the_webhook_id_is_the_fallback_dedupe_key() -> None:
    inbound = request((SAMPLES / "orders_create.json").read_bytes(),
                      **{"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "delivery-a"})
    events = adapter.parse(inbound, source(secret="s"))
    assert events[0]["source"] == {"topic": "orders/create", "deliveryId": "delivery-a"}


def test_ids_beyond_two_to_the_53_stay_exact() -> None:
    body = b'{"id": 9223372036854775807, "currency": "USD", "total_price": "1.00", "line_items": [' \
           b'{"product_id": 9007199254740993, "quantity": 1, "price": "1.00"}], "customer": {"id": 9007199254740995}}'
    event = adapter.parse(order_request("orders/create", "evt-1", "d", body), source(secret="s"))[0]
    assert event["commerce"]["orderId"] == "9223372036854775807"
    assert event["commerce"]["items"][0]["id"] == "9007199254740993"
    assert event["user"]["memberId"] == "9007199254740995"



@pytest.mark.parametrize(("topic", "body", "field"), [
    ("orders/create", {"id": 1, "currency": "USD", "total_price": "1.00",
                       "line_items": [{"product_id": 1, "quantity": 1}, {"product_id": 2, "quantity": 1,
                                                                          "price_set": {"presentment_money": {
                                                                              "amount": "free"}}}]},
     "line_items[1].price_set.presentment_money.amount"),
    ("orders/create", {"id": 1, "currency": "USD", "total_price": "1.00", "line_items": ["a line"]},
     "line_items[0]"),
    ("orders/paid", {"id": 1, "currency": "USD", "total_price": "1.00", "line_items": [{"quantity": 1}]},
     "line_items[0].product_id"),
    ("refunds/create", {"order_id": 1, "refund_line_items": [
        {"quantity": 1, "line_item": {"product_id": 1, "quantity": 1}},
        {"quantity": -1, "line_item": {"product_id": 1, "quantity": 1}}]},
     "refund_line_items[1].quantity"),
    ("refunds/create", {"order_id": 1, "refund_line_items": [{"quantity": 1, "line_item": {"product_id": True}}]},
     "refund_line_items[0].line_item.product_id"),
    ("carts/update", {"token": "c", "line_items": [{"product_id": 1, "quantity": "two"}]},
     "line_items[0].quantity"),
])
def test_a_bad_line_is_named_by_its_full_path(topic: str, body: dict[str, object], field: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        adapter.parse(order_request(topic, "evt-1", "d", json.dumps(body).encode()), source(secret="s"))
    assert [problem.field for problem in caught.value.problems] == [field]

def test_unmapped_topics_are_not_even_parsed() -> None:
    assert adapter.parse(order_request("products/update", "evt-1", "d", b"not json"), source(secret="s")) == []


def test_a_topic_header_is_needed() -> None:
    with pytest.raises(PayloadInvalid) as caught:
        adapter.parse(request(b"{}"), source(secret="s"))
    assert caught.value.problems[0].field == "X-Shopify-Topic"


def test_setup_steps_carry_the_webhook_url() -> None:
    steps = adapter.setup_steps(Source("shop", "shopify"), "https://gw.example.com/v1/webhooks/shop")
    assert sum("https://gw.example.com/v1/webhooks/shop" in step for step in steps) == 2
