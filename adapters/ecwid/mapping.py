"""Ecwid event types → canonical events, from what the webhook itself carries (ids and statuses).

Body: `{eventId, eventCreated, storeId, entityId, eventType, data}`. Order webhooks carry the order
id and its payment/fulfilment statuses, not its amounts: a placed order is recorded as `OrderPaid`
(paid already) or `OrderPlaced`, which enrichment turns into a `Purchase` once the order's total
is known (see enrichment.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from adapters.base import Event, PayloadInvalid, derive_event_id
from adapters.ecwid.payload import identifier, optional_identifier
from adapters.fields import obj, obj_or_empty, text
from adapters.times import format_time

PAID = "PAID"
# A change of payment status that is a customer-facing step of the order.
PAYMENT_CHANGES = {
    "PAID": "OrderPaid",
    "REFUNDED": "Refund",
    "PARTIALLY_REFUNDED": "Refund",
    "CANCELLED": "OrderCancelled",
}
PLACED = "OrderPlaced"
"""Custom name of a placed, unpaid order while its total is unknown (a Purchase needs value and currency)."""


def parse_body(body: Any) -> list[Event]:
    """The events of one Ecwid webhook body; [] for event types that are not customer actions."""
    envelope = obj(body, "body")
    event_type = envelope.get("eventType")
    if not isinstance(event_type, str) or not event_type:
        raise PayloadInvalid("eventType", event_type, "an Ecwid event type such as order.created")
    event_id = identifier(envelope.get("eventId"), "eventId")
    store = identifier(envelope.get("storeId"), "storeId")
    created = envelope.get("eventCreated")
    if isinstance(created, bool) or not isinstance(created, int) or not 0 <= created < 10**11:
        raise PayloadInvalid("eventCreated", created, "whole seconds since the Unix epoch")
    handler = HANDLERS.get(event_type)
    if handler is None:
        return []
    base: Event = {
        "id": derive_event_id("ecwid", store, event_id),
        "occurredAt": format_time(datetime.fromtimestamp(created, tz=UTC)),
        "source": {"topic": event_type, "deliveryId": event_id, "shop": store},
    }
    return handler(base, envelope, obj_or_empty(envelope.get("data"), "data"))


def order_created(base: Event, envelope: dict[str, Any], data: dict[str, Any]) -> list[Event]:
    """order.created: OrderPaid when placed paid, OrderPlaced otherwise."""
    status = text(data.get("newPaymentStatus"), "data.newPaymentStatus")
    name = "OrderPaid" if status == PAID else PLACED
    return [{**base, "name": name, "commerce": {"orderId": _order_id(envelope, data)}, **_statuses(data)}]


def order_updated(base: Event, envelope: dict[str, Any], data: dict[str, Any]) -> list[Event]:
    """order.updated: a change of payment status to paid, refunded or cancelled; nothing otherwise."""
    old = text(data.get("oldPaymentStatus"), "data.oldPaymentStatus")
    new = text(data.get("newPaymentStatus"), "data.newPaymentStatus")
    name = PAYMENT_CHANGES.get(new or "")
    if name is None or new == old:
        return []  # fulfilment and other edits are the shop's doing, not the customer's
    return [{**base, "name": name, "commerce": {"orderId": _order_id(envelope, data)}, **_statuses(data)}]


def unfinished_order_created(base: Event, envelope: dict[str, Any], data: dict[str, Any]) -> list[Event]:
    """unfinished_order.created: the customer went on to pay (Ecwid's abandoned checkout): CheckoutBegin."""
    commerce = {"orderId": _order_id(envelope, data)}
    cart = optional_identifier(data.get("cartId"), "data.cartId")
    if cart is not None:
        commerce["cartId"] = cart
    return [{**base, "name": "CheckoutBegin", "commerce": commerce}]


def customer_created(base: Event, envelope: dict[str, Any], data: dict[str, Any]) -> list[Event]:
    """customer.created: a SignUp of the store's customer `entityId`."""
    return [{**base, "name": "SignUp", "user": {"memberId": identifier(envelope.get("entityId"), "entityId")}}]


def _order_id(envelope: dict[str, Any], data: dict[str, Any]) -> str:
    """data.orderId; older webhooks carry only entityId (then the order number)."""
    order = optional_identifier(data.get("orderId"), "data.orderId")
    if order is not None:
        return order
    if envelope.get("entityId") is None:
        raise PayloadInvalid("data.orderId", None, "the order id (data.orderId, or entityId in older webhooks)")
    return identifier(envelope.get("entityId"), "entityId")


def _statuses(data: dict[str, Any]) -> dict[str, Any]:
    """The order's statuses after the change, as properties."""
    properties = {key: value for key, value in (
        ("paymentStatus", text(data.get("newPaymentStatus"), "data.newPaymentStatus")),
        ("previousPaymentStatus", text(data.get("oldPaymentStatus"), "data.oldPaymentStatus")),
        ("fulfillmentStatus", text(data.get("newFulfillmentStatus"), "data.newFulfillmentStatus")),
    ) if value is not None}
    return {"properties": properties} if properties else {}


HANDLERS: dict[str, Callable[[Event, dict[str, Any], dict[str, Any]], list[Event]]] = {
    "order.created": order_created,
    "order.updated": order_updated,
    "unfinished_order.created": unfinished_order_created,
    "customer.created": customer_created,
}
