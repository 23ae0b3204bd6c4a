"""BigCommerce webhook scopes that are customer actions, and the event each one becomes.

Webhooks carry only ids (`data`), so each event holds what the webhook says; the enrichment
(enrichment.py) completes it from the API. Names whose required fields a webhook cannot give
(a Purchase needs value and currency, an AddToCart needs its items) start as custom names and
are switched by the enrichment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.base import Event
from adapters.bigcommerce.payload import integer
from adapters.fields import ident, obj

# Order statuses (GET /v2/order_statuses, reference/orders.v2.oas2.yml).
INCOMPLETE = 0  # "a shopper reached the payment page, but did not complete the transaction"
PENDING = 1  # "Customer started the checkout process, but did not complete it"
AWAITING_PAYMENT = 7  # "completed checkout process, but payment has yet to be confirmed"
COMPLETED = 10  # "Client has paid for their digital product"
AWAITING_FULFILLMENT = 11  # "completed the checkout process and payment has been confirmed"
CANCELLED = 5
UNPAID = frozenset({INCOMPLETE, PENDING, AWAITING_PAYMENT})
PAID = frozenset({COMPLETED, AWAITING_FULFILLMENT})

Mapper = Callable[[dict[str, Any]], Event | None]


def order_created(data: dict[str, Any]) -> Event:
    """An order exists (possibly Incomplete): OrderPlaced, a Purchase once the order is fetched."""
    return {"name": "OrderPlaced", "commerce": {"orderId": ident(data.get("id"), "data.id")}}


def order_status_updated(data: dict[str, Any]) -> Event | None:
    """Payment confirmed after checkout → OrderPaid; cancelled → OrderCancelled; other changes: nothing."""
    order_id = ident(data.get("id"), "data.id")
    if data.get("status") is None:
        return None  # the docs' abridged example has no status: nothing says what changed
    status = obj(data["status"], "data.status")
    before = integer(status.get("previous_status_id"), "data.status.previous_status_id")
    after = integer(status.get("new_status_id"), "data.status.new_status_id")
    if before in UNPAID and after in PAID:
        name = "OrderPaid"
    elif after == CANCELLED:
        name = "OrderCancelled"
    else:
        return None
    return {"name": name, "commerce": {"orderId": order_id},
            "properties": {"previousStatusId": before, "statusId": after}}


def order_refund_created(data: dict[str, Any]) -> Event:
    """A refund submitted against an order: Refund (each refund has its own webhook)."""
    refund = obj(data.get("refund"), "data.refund")
    return {"name": "Refund", "commerce": {"orderId": ident(data.get("id"), "data.id")},
            "properties": {"refundId": ident(refund.get("refund_id"), "data.refund.refund_id")}}


def cart_line_item_created(data: dict[str, Any]) -> Event:
    """An item put in a cart: CartItemAdded, an AddToCart once the cart tells which product."""
    return {"name": "CartItemAdded", "commerce": {"cartId": ident(data.get("cartId"), "data.cartId")},
            "properties": {"lineItemId": ident(data.get("id"), "data.id")}}


def cart_abandoned(data: dict[str, Any]) -> Event:
    """A cart left unchanged for an hour: CartAbandoned, the trigger of a follow-up."""
    return {"name": "CartAbandoned", "commerce": {"cartId": ident(data.get("id"), "data.id")}}


def customer_created(data: dict[str, Any]) -> Event:
    """A customer account: SignUp, the customer id as the member id."""
    return {"name": "SignUp", "user": {"memberId": ident(data.get("id"), "data.id")}}


def subscriber_created(data: dict[str, Any]) -> Event:
    """A newsletter subscription: Lead (a subscriber id is no customer id, so it is a property)."""
    return {"name": "Lead", "properties": {"subscriberId": ident(data.get("id"), "data.id")}}


SCOPES: dict[str, Mapper] = {
    "store/order/created": order_created,
    "store/order/statusUpdated": order_status_updated,
    "store/order/refund/created": order_refund_created,
    "store/cart/lineItem/created": cart_line_item_created,
    "store/cart/abandoned": cart_abandoned,
    "store/customer/created": customer_created,
    "store/subscriber/created": subscriber_created,
}
"""Scopes → mappers; every other scope (order/updated, cart/created, cart/converted, ...) is acknowledged with []."""
