"""Squarespace notifications → events: topics, updates, ids and refusals that name the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, PayloadInvalid, Source
from adapters.squarespace import adapter

SOURCE = Source("sq", "squarespace", {"secret": "00"})
NOTIFICATION = {"id": "5c2ba184b63ed3cb411ce2b1", "websiteId": "5f3c3d55ac435e1a051f77b3",
                "subscriptionId": "5f3c2155d947844beedda991", "topic": "order.update",
                "createdOn": "2020-04-22T22:18:33.521Z", "data": {"orderId": "5f3c39ce69e11e796f19990e"}}


def parse(body: Any) -> list[dict[str, Any]]:
    return adapter.parse(InboundRequest("POST", "/", Headers({}), json.dumps(body).encode()), SOURCE)


@pytest.mark.parametrize("update, name", [
    ("REFUNDED", "Refund"), ("CANCELED", "OrderCancelled"),
    ("FULFILLED", None), ("MARKED_PENDING", None), ("EMAIL_UPDATED", None), ("SOMETHING_NEW", None),
])
def test_order_updates(update: str, name: str | None) -> None:
    events = parse({**NOTIFICATION, "data": {**NOTIFICATION["data"], "update": update}})
    assert [e["name"] for e in events] == ([name] if name else [])


def test_the_notification_id_is_the_delivery_and_the_website_the_shop() -> None:
    [event] = parse({**NOTIFICATION, "topic": "order.create"})
    assert event["source"] == {"topic": "order.create", "deliveryId": "5c2ba184b63ed3cb411ce2b1",
                               "shop": "5f3c3d55ac435e1a051f77b3"}
    assert event["occurredAt"] == "2020-04-22T22:18:33.521Z"


def test_created_on_without_seconds_is_read_as_the_docs_write_it() -> None:
    [event] = parse({**NOTIFICATION, "topic": "order.create", "createdOn": "2020-04-22T22:18+00:00"})
    assert event["occurredAt"] == "2020-04-22T22:18:00.000Z"


def test_a_notification_id_named_notification_id_is_read_too() -> None:
    body = {**NOTIFICATION, "topic": "order.create"}
    renamed = {("notificationId" if k == "id" else k): v for k, v in body.items()}
    assert parse(renamed)[0]["id"] == parse(body)[0]["id"]


def test_other_notifications_are_other_events() -> None:
    first = parse({**NOTIFICATION, "topic": "order.create"})[0]["id"]
    second = parse({**NOTIFICATION, "topic": "order.create", "id": "5c2ba184b63ed3cb411ce2b2"})[0]["id"]
    assert first != second


def test_topics_without_a_customer_action_are_acknowledged() -> None:
    assert parse({**NOTIFICATION, "topic": "extension.uninstall", "data": {"clientId": "A1"}}) == []
    assert parse({"topic": "contact.create"}) == []


@pytest.mark.parametrize("body, field", [
    ([], "body"),
    ({**NOTIFICATION, "topic": None}, "topic"),
    ({**NOTIFICATION, "data": "x"}, "data"),
    ({**NOTIFICATION, "topic": "order.create", "data": {"orderId": 5}}, "data.orderId"),
    ({**NOTIFICATION, "data": {"orderId": "x", "update": 3}}, "data.update"),
    ({**NOTIFICATION, "topic": "order.create", "id": None}, "notificationId"),
    ({**NOTIFICATION, "topic": "order.create", "createdOn": "yesterday"}, "createdOn"),
    ({**NOTIFICATION, "topic": "order.create", "createdOn": "2020-04-22T22:18:33+0000"}, "createdOn"),
    ({**NOTIFICATION, "topic": "order.create", "createdOn": "2020-W17-3T22:18:33Z"}, "createdOn"),
])
def test_bad_notifications_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        parse(body)
    assert refused.value.problems[0].field == field
