"""Trigger types and payload shapes the fixture cases do not cover."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.base import PayloadInvalid
from adapters.webflow.mapping import parse_body

ORDER: dict[str, Any] = {
    "orderId": "fc7-130", "status": "fulfilled", "acceptedOn": "2024-03-29T21:29:21Z",
    "totals": {"total": {"unit": "KRW", "value": "59000", "string": "₩ 59,000 KRW"}},
    "purchasedItems": [{"count": 2, "productId": "p-1", "variantPrice": {"unit": "KRW", "value": "29500"}}],
}


@pytest.mark.parametrize("status", ["pending", "unfulfilled", "fulfilled", "disputed", "dispute-lost"])
def test_order_changes_other_than_a_refund_are_not_events(status: str) -> None:
    assert parse_body({"triggerType": "ecomm_order_changed", "payload": {**ORDER, "status": status}}, None) == []


def test_a_krw_order_keeps_its_amounts_in_won() -> None:
    [event] = parse_body({"triggerType": "ecomm_new_order", "payload": ORDER}, "my-shop")
    assert event["commerce"] == {"orderId": "fc7-130", "currency": "KRW", "value": 59000,
                                 "items": [{"id": "p-1", "quantity": 2, "price": 29500}]}
    assert event["source"] == {"topic": "ecomm_new_order", "shop": "my-shop"}
    assert "user" not in event


def test_a_form_without_contact_fields_is_a_lead_without_user() -> None:
    form = {"id": "sub-1", "name": "Survey", "data": {"Favourite colour": "blue", "Email me": "no"}}
    [event] = parse_body({"triggerType": "form_submission", "payload": form}, None)
    assert event["name"] == "Lead"
    assert "user" not in event
    assert event["properties"] == {"formName": "Survey"}


@pytest.mark.parametrize(("body", "field"), [
    ([], "body"),
    ({"payload": {}}, "triggerType"),
    ({"triggerType": "ecomm_new_order", "payload": "fc7-128"}, "payload"),
    ({"triggerType": "ecomm_new_order", "payload": {**ORDER, "orderId": 128}}, "payload.orderId"),
    ({"triggerType": "ecomm_new_order", "payload": {**ORDER, "purchasedItems": [{"count": 1}]}},
     "payload.purchasedItems[0].productId"),
    ({"triggerType": "ecomm_new_order", "payload": {**ORDER, "acceptedOn": "yesterday"}}, "payload.acceptedOn"),
    ({"triggerType": "form_submission", "payload": {"name": "Contact"}}, "payload.id"),
])
def test_bad_payloads_name_the_json_path(body: Any, field: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse_body(body, None)
    assert caught.value.problems[0].field == field
