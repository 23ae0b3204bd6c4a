"""Event types and payload shapes the fixture cases do not cover."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.base import PayloadInvalid
from adapters.ecwid.mapping import parse_body

BASE: dict[str, Any] = {"eventId": "e-1", "eventCreated": 1795521590, "storeId": 1003, "entityId": 103}


def updated(old: str | None, new: str | None) -> dict[str, Any]:
    data = {key: value for key, value in (("oldPaymentStatus", old), ("newPaymentStatus", new)) if value}
    return {**BASE, "eventType": "order.updated", "data": {"orderId": "B8HGD", **data}}


@pytest.mark.parametrize(("old", "new", "name"), [
    ("AWAITING_PAYMENT", "PAID", "OrderPaid"),
    ("PAID", "PARTIALLY_REFUNDED", "Refund"),
    ("PARTIALLY_REFUNDED", "REFUNDED", "Refund"),
    ("AWAITING_PAYMENT", "CANCELLED", "OrderCancelled"),
])
def test_payment_status_changes_are_order_events(old: str, new: str, name: str) -> None:
    [event] = parse_body(updated(old, new))
    assert event["name"] == name
    assert event["commerce"] == {"orderId": "B8HGD"}


@pytest.mark.parametrize(("old", "new"), [("PAID", "PAID"), ("PAID", "AWAITING_PAYMENT"), (None, None),
                                          ("INCOMPLETE", "INCOMPLETE")])
def test_other_order_updates_are_not_events(old: str | None, new: str | None) -> None:
    assert parse_body(updated(old, new)) == []


@pytest.mark.parametrize("event_type", ["order.deleted", "unfinished_order.updated", "unfinished_order.deleted",
                                        "product.created", "application.installed", "customer.updated"])
def test_event_types_that_are_not_customer_actions_give_no_event(event_type: str) -> None:
    assert parse_body({**BASE, "eventType": event_type}) == []


def test_older_webhooks_without_data_order_id_use_entity_id() -> None:
    [event] = parse_body({**BASE, "entityId": 20, "eventType": "order.created", "data": {"newPaymentStatus": "PAID"}})
    assert event["commerce"] == {"orderId": "20"}


def test_ids_beyond_2_to_the_53_stay_exact() -> None:
    [event] = parse_body({**BASE, "storeId": 2**63 - 1, "entityId": 2**53 + 1, "eventType": "customer.created"})
    assert event["user"] == {"memberId": "9007199254740993"}
    assert event["source"]["shop"] == "9223372036854775807"


@pytest.mark.parametrize(("body", "field"), [
    ("order.created", "body"),
    ({**BASE, "eventType": 7}, "eventType"),
    ({**BASE, "eventType": "order.created", "eventId": None}, "eventId"),
    ({**BASE, "eventType": "order.created", "storeId": True}, "storeId"),
    ({**BASE, "eventType": "order.created", "eventCreated": "now"}, "eventCreated"),
    ({**BASE, "eventType": "order.created", "data": []}, "data"),
    ({**BASE, "eventType": "order.created", "entityId": None, "data": {}}, "data.orderId"),
    ({**BASE, "eventType": "order.created", "data": {"orderId": "X", "newPaymentStatus": 1}}, "data.newPaymentStatus"),
    ({**BASE, "eventType": "customer.created", "entityId": None}, "entityId"),
])
def test_bad_payloads_name_the_json_path(body: Any, field: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse_body(body)
    assert caught.value.problems[0].field == field
