"""WooCommerce adapter: the official signature vector, WordPress's entity decoding, the ping, order statuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, PayloadInvalid, SignatureInvalid, Source
from adapters.woocommerce import WooCommerceSettings, adapter
from adapters.woocommerce.signature import body_signature, wp_specialchars_decode

HERE = Path(__file__).parent
VECTOR = json.loads((HERE / "signature_test_vector.json").read_text(encoding="utf-8"))
ORDER = json.loads((HERE / "samples" / "order.json").read_text(encoding="utf-8"))
SOURCE = Source("wc", "woocommerce", {"secret": "s"})


def request(body: bytes, **headers: str) -> InboundRequest:
    return InboundRequest(method="POST", path="/v1/webhooks/wc", headers=Headers(headers), body=body)


def test_official_vector_gives_the_expected_signature() -> None:
    assert body_signature(VECTOR["secret"], VECTOR["payload"].encode()) == VECTOR["expected_x_wc_webhook_signature"]


def test_official_vector_verifies_through_the_adapter() -> None:
    # The vector's secret is WooCommerce's empty default, which settings refuse: verify with it directly.
    signature = {"X-WC-Webhook-Signature": VECTOR["expected_x_wc_webhook_signature"]}
    inbound = request(VECTOR["payload"].encode(), **signature)
    adapter.verify(inbound, Source("wc", "woocommerce", {"secret": VECTOR["secret"]}))
    with pytest.raises(SignatureInvalid):
        adapter.verify(inbound, SOURCE)


@pytest.mark.parametrize(("stored", "key"), [
    ("plain", "plain"),
    ("a&amp;b", "a&b"),
    ("a&#038;b&#38;c&#0038;d&#x26;e&#X0026;f", "a&b&c&d&e&f"),
    ("&lt;&gt;&quot;&#039;&#x27;&#39;", "<>\"''\'"),
    ("&amp;lt;", "&lt;"),  # one pass, as PHP's strtr: the result is not decoded again
    ("&nbsp;&eacute;&#x3c;", "&nbsp;&eacute;&#x3c;"),  # only the entities WordPress decodes
    ("k7#Qz&v2!", "k7#Qz&v2!"),
])
def test_secret_is_decoded_as_wordpress_does(stored: str, key: str) -> None:
    assert wp_specialchars_decode(stored) == key


def test_missing_signature_names_the_header() -> None:
    with pytest.raises(SignatureInvalid) as caught:
        adapter.verify(request(b"{}"), SOURCE)
    assert caught.value.header == "X-WC-Webhook-Signature"


def test_the_secret_is_required_and_not_empty() -> None:
    with pytest.raises(ValidationError):
        WooCommerceSettings().load({})
    with pytest.raises(ValidationError):
        WooCommerceSettings().load({"secret": ""})


@pytest.mark.parametrize(("body", "headers", "is_ping"), [
    (b"webhook_id=3", {}, True),
    (b"webhook_id=12\n", {"Content-Type": "application/x-www-form-urlencoded"}, True),
    (b"webhook_id=3", {"X-WC-Webhook-Signature": "x"}, False),
    (b"webhook_id=3&x=1", {}, False),
    (b'{"webhook_id": 3}', {}, False),
])
def test_only_the_unsigned_ping_gets_a_direct_reply(body: bytes, headers: dict[str, str], is_ping: bool) -> None:
    reply = adapter.respond(request(body, **headers), SOURCE)
    assert (reply is not None and reply.status == 200) is is_ping


def parse(order: dict[str, Any], topic: str = "order.updated", delivery: str = "d1") -> list[dict[str, Any]]:
    return adapter.parse(request(json.dumps(order).encode(), **{
        "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Delivery-ID": delivery,
        "X-WC-Webhook-Source": "https://shop.example.com/"}), SOURCE)


@pytest.mark.parametrize(("status", "date_paid", "names"), [
    ("pending", None, ["CheckoutBegin"]),
    ("failed", None, ["CheckoutBegin"]),
    ("checkout-draft", None, ["CheckoutBegin"]),
    ("on-hold", None, ["Purchase"]),
    ("processing", None, ["Purchase", "OrderPaid"]),
    ("completed", "2017-03-22T19:28:08", ["Purchase", "OrderPaid"]),
    ("shipped", "2017-03-22T19:28:08", ["Purchase", "OrderPaid"]),  # a plugin's status, once paid
    ("cancelled", None, ["OrderCancelled"]),
    ("draft", None, []),
    ("auto-draft", None, []),
    ("trash", None, []),
])
def test_order_statuses(status: str, date_paid: str | None, names: list[str]) -> None:
    order = {**ORDER, "status": status, "date_paid_gmt": date_paid}
    assert [e["name"] for e in parse(order)] == names


def test_an_order_gives_the_same_ids_in_every_delivery_whatever_the_delivery_id() -> None:
    created = parse(ORDER, "order.created", "delivery-1")
    completed = parse({**ORDER, "status": "completed", "date_modified_gmt": "2017-03-24T10:00:00"}, "order.updated",
                      "delivery-1")  # WooCommerce's delivery ids collide within a second
    assert [e["id"] for e in created] == [e["id"] for e in completed]


def test_each_refund_is_its_own_event() -> None:
    order = {**ORDER, "status": "refunded", "refunds": [{"id": 801, "reason": "", "total": "-5.00"},
                                                      {"id": 802, "refund": "late", "total": "-24.35"}]}
    refunds = [e for e in parse(order) if e["name"] == "Refund"]
    assert [(e["commerce"]["value"], e["properties"]) for e in refunds] == [
        (5.0, {"refundId": "801"}), (24.35, {"refundId": "802", "reason": "late"})]
    assert len({e["id"] for e in refunds}) == 2


def test_a_registered_customer_is_the_member() -> None:
    event = parse({**ORDER, "customer_id": 25})[0]
    assert event["user"]["memberId"] == "25"


def test_gmt_times_without_an_offset_are_utc() -> None:
    paid = {**ORDER, "status": "processing", "date_created_gmt": "2017-03-22T19:28:02",
            "date_paid_gmt": "2017-03-22T19:28:08+00:00"}
    assert [e["occurredAt"] for e in parse(paid)] == ["2017-03-22T19:28:02.000Z", "2017-03-22T19:28:08.000Z"]


@pytest.mark.parametrize("moment", ["yesterday", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                                    "2017-W12-3T19:28:02", "2017-03-22T19:28", "2017-03-22",
                                    "2017-03-22T19:28:02,5", "2017-03-22T19:28:02+0000"])
def test_a_time_that_is_not_a_gmt_time_is_named(moment: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse({**ORDER, "date_created_gmt": moment})
    assert (caught.value.problems[0].field, caught.value.problems[0].value) == ("date_created_gmt", moment)


def test_unmapped_topics_are_not_even_parsed() -> None:
    assert adapter.parse(request(b"not json", **{"X-WC-Webhook-Topic": "product.updated"}), SOURCE) == []


@pytest.mark.parametrize(("change", "field"), [
    ({"status": None}, "status"),
    ({"id": "x" * 101}, "id"),
    ({"currency": "usd"}, "currency"),
    ({"line_items": [{"product_id": 93, "quantity": -1}]}, "line_items[0].quantity"),
    ({"line_items": [{"product_id": 93, "quantity": 1}, {"product_id": 94, "quantity": 1, "price": "cheap"}]},
     "line_items[1].price"),
    ({"line_items": [{"product_id": 93, "quantity": 1}, "a line"]}, "line_items[1]"),
    ({"date_created_gmt": "yesterday"}, "date_created_gmt"),
    ({"refunds": [{"id": 9, "total": "minus five"}]}, "refunds[0].total"),
])
def test_wrong_values_name_their_path(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse({**ORDER, **change})
    assert caught.value.problems[0].field == field


def test_a_topic_header_is_needed() -> None:
    with pytest.raises(PayloadInvalid) as caught:
        adapter.parse(request(b"{}"), SOURCE)
    assert caught.value.problems[0].field == "X-WC-Webhook-Topic"
