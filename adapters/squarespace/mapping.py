"""Squarespace webhook topics that are customer actions, and the event each one becomes.

Notifications carry only the order id, so each event holds what the notification says; the
enrichment (enrichment.py) completes it from the Orders API. An order.create starts as the
custom OrderPlaced: a Purchase needs a value and a currency, which only the order has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.base import Event, PayloadInvalid
from adapters.fields import text
from adapters.squarespace.payload import ident

Mapper = Callable[[dict[str, Any]], Event | None]

UPDATES = ("FULFILLED", "REFUNDED", "CANCELED", "MARKED_PENDING", "EMAIL_UPDATED")
"""The values of order.update's data.update listed in the docs."""
UPDATE_NAMES = {"REFUNDED": "Refund", "CANCELED": "OrderCancelled"}
"""The updates that are customer-facing order events; fulfilment and merchant edits are not."""


def order_create(data: dict[str, Any]) -> Event:
    """An order placed: OrderPlaced, a Purchase once the order is fetched."""
    return {"name": "OrderPlaced", "commerce": {"orderId": ident(data.get("orderId"), "data.orderId")}}


def order_update(data: dict[str, Any]) -> Event | None:
    """A refund → Refund, a cancellation → OrderCancelled; other updates: nothing."""
    order_id = ident(data.get("orderId"), "data.orderId")
    update = text(data.get("update"), "data.update")
    if update is None:
        raise PayloadInvalid("data.update", data.get("update"), "what changed: one of " + ", ".join(UPDATES))
    name = UPDATE_NAMES.get(update)
    return {"name": name, "commerce": {"orderId": order_id}} if name else None


TOPICS: dict[str, Mapper] = {
    "order.create": order_create,
    "order.update": order_update,
}
"""Topics → mappers; every other topic (extension.uninstall, contact.*, ...) is acknowledged with []."""
