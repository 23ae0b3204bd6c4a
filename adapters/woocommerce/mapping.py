"""WooCommerce orders and customers → canonical events (the table is in this folder's README.md).

WooCommerce builds the body when it delivers, from the resource's current state, and may skip or
coalesce deliveries; an `order.updated` does not say what changed. So the events come from the
order's state, each with an id derived from the order (and refund), not from the delivery: an
order seen again in the same or a later state gives the same ids, and the gateway stores each
event once — the first time the order is seen in that state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.base import Event, PayloadInvalid
from adapters.fields import (
    MAX_TEXT,
    currency,
    items_of,
    major,
    obj,
    obj_or_empty,
    present_properties,
    quantity,
    read_lines,
)
from adapters.woocommerce.payload import amount, email, gmt_time, ident, phone, text

CHECKOUT_STATUSES = frozenset({"pending", "failed", "checkout-draft"})
"""Orders not placed yet: the customer is in (or left) the payment step."""
NOT_ORDERS = frozenset({"draft", "auto-draft", "trash"})
"""Drafts and trashed orders: nothing a customer did."""
PAID_STATUSES = frozenset({"processing", "completed"})


@dataclass(frozen=True)
class Keyed:
    """An event and the key its id is derived from (the resource and what happened to it)."""

    key: tuple[str, ...]
    event: Event


def order_events(order: dict[str, Any]) -> list[Keyed]:
    """The events an order's state implies, per WooCommerce's order statuses."""
    order_id = ident(order.get("id"), "id")
    if order_id is None:
        raise PayloadInvalid("id", order.get("id"), "the order's id: a positive integer")
    status = order.get("status")
    if not isinstance(status, str) or not status:
        raise PayloadInvalid("status", status, "the order's status, e.g. processing")
    if status in NOT_ORDERS:
        return []
    base = _order_base(order, order_id)
    key = ("order", order_id)
    found: list[Keyed] = []
    if status in CHECKOUT_STATUSES:
        found.append(Keyed((*key, "CheckoutBegin"), _named(base, "CheckoutBegin", order, "date_created_gmt")))
    elif status == "cancelled":
        found.append(Keyed((*key, "OrderCancelled"), _named(base, "OrderCancelled", order, "date_modified_gmt")))
    else:
        found.append(Keyed((*key, "Purchase"), _named(base, "Purchase", order, "date_created_gmt")))
        if order.get("date_paid_gmt") or status in PAID_STATUSES:
            paid_at = "date_paid_gmt" if order.get("date_paid_gmt") else "date_modified_gmt"
            found.append(Keyed((*key, "OrderPaid"), _named(base, "OrderPaid", order, paid_at)))
    found.extend(_refunds(order, order_id, base))
    return found


def customer_events(customer: dict[str, Any]) -> list[Keyed]:
    """customer.created: a customer account exists → SignUp."""
    member = ident(customer.get("id"), "id")
    if member is None:
        raise PayloadInvalid("id", customer.get("id"), "the customer's id: a positive integer")
    billing = obj_or_empty(customer.get("billing"), "billing")
    user: dict[str, Any] = {"memberId": member}
    found_email = email(customer.get("email"), "email") or email(billing.get("email"), "billing.email")
    if found_email:
        user["email"] = found_email
    found_phone = phone(billing.get("phone"), "billing.phone")
    if found_phone:
        user["phone"] = found_phone
    traits = present_properties(firstName=text(customer.get("first_name"), "first_name"),
                                lastName=text(customer.get("last_name"), "last_name"))
    if traits:
        user["traits"] = traits
    event: Event = {"name": "SignUp", "user": user}
    occurred = gmt_time(customer.get("date_created_gmt"), "date_created_gmt")
    if occurred:
        event["occurredAt"] = occurred
    return [Keyed(("customer", member, "SignUp"), event)]


Mapper = Callable[[dict[str, Any]], list[Keyed]]

TOPICS: dict[str, Mapper] = {
    "order.created": order_events,
    "order.updated": order_events,
    "order.restored": order_events,
    "customer.created": customer_events,
}
"""The topics that carry customer actions; every other topic is acknowledged with no event."""


def _order_base(order: dict[str, Any], order_id: str) -> Event:
    """What every event of an order carries: the order's money, lines, buyer and references."""
    money_currency = currency(order.get("currency"), "currency")
    total = amount(order.get("total"), "total")
    if total is None:
        raise PayloadInvalid("total", order.get("total"), 'the order\'s total, e.g. "29.35"')
    commerce: dict[str, Any] = {"orderId": order_id, "currency": money_currency, "value": major(total),
                                "items": read_lines(order.get("line_items"), "line_items", _item)}
    event: Event = {"commerce": commerce}
    properties = present_properties(orderNumber=ident(order.get("number"), "number"), status=order.get("status"),
                                    paymentMethod=text(order.get("payment_method"), "payment_method"))
    if properties:
        event["properties"] = properties
    user = _buyer(order)
    if user:
        event["user"] = user
    return event


def _named(base: Event, name: str, order: dict[str, Any], time_field: str) -> Event:
    event = {"name": name, **base}
    occurred = gmt_time(order.get(time_field), time_field)
    if occurred:
        event["occurredAt"] = occurred
    return event


def _refunds(order: dict[str, Any], order_id: str, base: Event) -> list[Keyed]:
    """One Refund per entry of `refunds` (`total` is negative: "-10.00"), at the order's last change."""
    found = []
    for index, raw in enumerate(items_of(order.get("refunds"), "refunds")):
        path = f"refunds[{index}]"
        refund = obj(raw, path)
        refund_id = ident(refund.get("id"), f"{path}.id")
        if refund_id is None:
            raise PayloadInvalid(f"{path}.id", refund.get("id"), "the refund's id: a positive integer")
        commerce: dict[str, Any] = {"orderId": order_id, "currency": base["commerce"]["currency"]}
        refunded = amount(refund.get("total"), f"{path}.total")
        if refunded is not None:
            commerce["value"] = major(abs(refunded))
        # WooCommerce's REST API v1 wrote the reason under "refund".
        reason = text(refund.get("reason"), f"{path}.reason") or text(refund.get("refund"), f"{path}.refund")
        event: Event = {"name": "Refund", "commerce": commerce,
                        "properties": present_properties(refundId=refund_id, reason=reason)}
        if "user" in base:
            event["user"] = base["user"]
        occurred = gmt_time(order.get("date_modified_gmt"), "date_modified_gmt")
        if occurred:
            event["occurredAt"] = occurred
        found.append(Keyed(("order", order_id, "Refund", refund_id), event))
    return found


def _item(raw: Any) -> dict[str, Any]:
    """A line as a canonical item; its id is the product id (else the SKU, else the line's id).

    Fields are named within the line; `read_lines` names the line.
    """
    line = obj(raw, "")
    sku = text(line.get("sku"), "sku")
    item_id = ident(line.get("product_id"), "product_id") or sku or ident(line.get("id"), "id")
    if item_id is None:
        raise PayloadInvalid("product_id", line.get("product_id"), "a product id, SKU or line id")
    item: dict[str, Any] = {"id": item_id, "quantity": quantity(line.get("quantity"), "quantity")}
    name = text(line.get("name"), "name")
    if name:
        item["name"] = name[:MAX_TEXT]
    price = amount(line.get("price"), "price")
    if price is not None:
        item["price"] = major(price)
    if sku:
        item["sku"] = sku[:MAX_TEXT]
    variation = ident(line.get("variation_id"), "variation_id")
    if variation:
        item["properties"] = {"variationId": variation}
    return item


def _buyer(order: dict[str, Any]) -> dict[str, Any] | None:
    """The customer: their account id (0 is a guest), the billing e-mail, phone and name."""
    billing = obj_or_empty(order.get("billing"), "billing")
    user: dict[str, Any] = {}
    member = ident(order.get("customer_id"), "customer_id")
    if member:
        user["memberId"] = member
    found_email = email(billing.get("email"), "billing.email")
    if found_email:
        user["email"] = found_email
    found_phone = phone(billing.get("phone"), "billing.phone")
    if found_phone:
        user["phone"] = found_phone
    if not user:
        return None
    traits = present_properties(firstName=text(billing.get("first_name"), "billing.first_name"),
                                lastName=text(billing.get("last_name"), "billing.last_name"))
    if traits:
        user["traits"] = traits
    return user
