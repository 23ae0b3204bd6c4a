"""Cafe24 event numbers → canonical events (the table is in README.md).

A webhook is `{"event_no": 90023, "resource": {"mall_id": ..., "event_shop_no": ..., ...}}`; the
sign-in sample (90143) has its fields at the top without `resource`, so both shapes are read.
Cafe24 sends no event or delivery id: event ids are derived from what identifies the action
(the order, the member, ...), and for the two events that carry no time of their own (sign-in,
add to cart) from the 10-minute window they arrived in, so that a prompt redelivery is stored once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters import fields as readers
from adapters.base import Event, PayloadInvalid, derive_event_id
from adapters.cafe24.payload import count, loose_text, unset_as_none
from adapters.fields import compact

ARRIVAL_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Delivery:
    """One webhook: its event number, its fields and where they sit in the body."""

    event_no: int
    fields: dict[str, Any]
    path: str
    received_at: datetime

    @property
    def mall_id(self) -> str:
        """The shop (Cafe24 mall id)."""
        return self.required_text("mall_id")

    @property
    def shop_no(self) -> str | None:
        """The shop number inside a multi-shop mall."""
        return self.text("event_shop_no")

    def path_of(self, key: str) -> str:
        """The JSON path of one of the resource's fields."""
        return f"{self.path}.{key}" if self.path else key

    def text(self, key: str) -> str | None:
        """A text field of the resource (an integer kept exact as text); None when absent or empty."""
        return loose_text(self.fields.get(key), self.path_of(key))

    def required_text(self, key: str) -> str:
        """A text field of the resource that must be there (the mall, the order, the member)."""
        found = self.text(key)
        if found is None:
            raise PayloadInvalid(self.path_of(key), self.fields.get(key), "a non-empty string")
        return found

    def amount(self, key: str) -> int | float | None:
        """An amount in major units (`"24680.00"`); None when absent or empty."""
        found = readers.opt_amount(unset_as_none(self.fields.get(key)), self.path_of(key))
        return None if found is None else readers.major(found)

    def currency(self, key: str) -> str:
        """An ISO 4217 currency code (`KRW`)."""
        return readers.currency(self.fields.get(key), self.path_of(key))

    def time(self, key: str) -> str | None:
        """An RFC 3339 time (`2020-07-17T15:28:14+09:00`) in the canonical format; None when absent or empty."""
        return readers.opt_rfc3339_time(unset_as_none(self.fields.get(key)), self.path_of(key))

    def count(self, key: str) -> int:
        """A whole number of items (`1` or `"1"`)."""
        return count(self.fields.get(key), self.path_of(key))

    def event(self, name: str, *key: object) -> Event:
        """Id, name and source of a canonical event; `key` identifies the action within the mall."""
        return {
            "id": derive_event_id("cafe24", self.mall_id, self.shop_no or "", self.event_no, name, *key),
            "name": name,
            "source": {"topic": str(self.event_no), "shop": self.mall_id},
        }

    def arrival_window(self) -> str:
        """The start of the 10-minute window the webhook arrived in (for events with no time of their own)."""
        seconds = int(ARRIVAL_WINDOW.total_seconds())
        return str(int(self.received_at.timestamp()) // seconds * seconds)


Mapper = Callable[[Delivery], list[Event]]


def read_delivery(payload: Any, received_at: datetime) -> Delivery:
    """The event number and the resource of a webhook body."""
    body = readers.obj(payload, "body")
    event_no = body.get("event_no")
    if isinstance(event_no, str) and event_no.isascii() and event_no.isdigit():
        event_no = int(event_no)
    if isinstance(event_no, bool) or not isinstance(event_no, int):
        raise PayloadInvalid("event_no", event_no, "the Cafe24 event number, e.g. 90023")
    if "resource" in body:
        return Delivery(event_no, readers.obj(body["resource"], "resource"), "resource", received_at)
    return Delivery(event_no, body, "", received_at)


def events_for(delivery: Delivery) -> list[Event]:
    """The canonical events of one webhook; [] for event numbers that are not customer actions."""
    mapper = EVENTS.get(delivery.event_no)
    return mapper(delivery) if mapper else []


def order_placed(delivery: Delivery) -> list[Event]:
    """90023, an order was placed: Purchase."""
    order_id = delivery.required_text("order_id")
    event = delivery.event("Purchase", order_id)
    return [_order_event(delivery, event, order_id, delivery.time("order_date"))]


def payment_status_changed(delivery: Delivery) -> list[Event]:
    """90025, an order's payment status changed: OrderPaid when it became paid (`paid` = T), else nothing."""
    if delivery.text("paid") != "T":
        return []
    order_id = delivery.required_text("order_id")
    paid_at = delivery.time("payment_date")
    event = delivery.event("OrderPaid", order_id, paid_at or "")
    return [_order_event(delivery, event, order_id, paid_at)]


def customer_signup(delivery: Delivery) -> list[Event]:
    """90032, a customer signed up: SignUp."""
    member_id = delivery.required_text("member_id")
    created = delivery.time("created_date")
    user = compact({"memberId": member_id, "email": delivery.text("email"),
                    "phone": delivery.text("cellphone") or delivery.text("phone")})
    event = delivery.event("SignUp", member_id, created or "")
    return [_assemble(event, created, user, None, {"shopNo": delivery.shop_no})]


def customer_signin(delivery: Delivery) -> list[Event]:
    """90143, a customer signed in: Login."""
    member_id = delivery.required_text("member_id")
    event = delivery.event("Login", member_id, delivery.arrival_window())
    properties = {"shopNo": delivery.shop_no, "groupName": delivery.text("group_name"),
                  "inflowName": delivery.text("inflow_name")}
    return [_assemble(event, None, {"memberId": member_id}, None, properties)]


def add_to_cart(delivery: Delivery) -> list[Event]:
    """90084, items were added to a cart: AddToCart (the product number as the item id)."""
    member_id = delivery.text("member_id")
    item = compact({
        "id": delivery.required_text("product_no"),
        "quantity": delivery.count("quantity"),
        "variant": delivery.text("variant_code"),
    })
    event = delivery.event("AddToCart", member_id or "", item["id"], item.get("variant", ""), item["quantity"],
                           delivery.arrival_window())
    user = {"memberId": member_id} if member_id else None
    return [_assemble(event, None, user, {"items": [item]}, {"shopNo": delivery.shop_no})]


EVENTS: dict[int, Mapper] = {
    90023: order_placed,
    90025: payment_status_changed,
    90032: customer_signup,
    90143: customer_signin,
    90084: add_to_cart,
}


def _order_event(delivery: Delivery, event: Event, order_id: str, occurred: str | None) -> Event:
    """An order as a commerce event: the buyer, the order's product total, the product codes."""
    user = compact({"memberId": delivery.text("member_id"), "email": delivery.text("buyer_email"),
                    "phone": delivery.text("buyer_cellphone") or delivery.text("buyer_phone")})
    commerce = compact({"orderId": order_id, "currency": delivery.currency("currency"),
                        "value": delivery.amount("order_price_amount")})
    codes = _split(delivery.text("ordering_product_code"))
    names = _split(delivery.text("ordering_product_name"))
    properties = {
        "shopNo": delivery.shop_no,
        "paymentMethod": delivery.text("payment_method"),
        "actualPaymentAmount": delivery.amount("actual_payment_amount"),
        "shippingFee": delivery.amount("shipping_fee"),
        "productCodes": codes or None,
        # Names are joined with commas like the codes; a name holding a comma would shift them, so
        # they are kept only when they pair up one to one with the codes.
        "productNames": names if names and len(names) == len(codes) else None,
    }
    return _assemble(event, occurred, user, commerce, properties)


def _assemble(event: Event, occurred: str | None, user: dict[str, Any] | None, commerce: dict[str, Any] | None,
              properties: dict[str, Any]) -> Event:
    """The event with the parts that have something in them."""
    return compact({**event, "occurredAt": occurred, "user": user or None, "commerce": commerce,
                    "properties": compact(properties) or None})


def _split(joined: str | None) -> list[str]:
    """A comma-joined Cafe24 list (`"P00000BO,P00000DQ"`)."""
    return [part for part in (joined or "").split(",") if part]

