"""Completing Ecwid order events with the order itself: GET /api/v3/{storeId}/orders/{orderId}.

Documented in Ecwid's REST API reference ("Get order"; Ecwid/ecwid-api-docs includes/_orders.md,
"Get order details"): Bearer token of the app, the answer is the Order object (`total`, `email`,
`customerId`, `items[]` with `productId`, `name`, `sku`, `price`, `quantity`, ...) or an error status
with an optional `{"errorMessage": ...}`. The Order has no currency: amounts are in the store's
currency, which the source's `currency` setting names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from adapters.base import ApiRequest, ApiResponse, Event, PayloadInvalid
from adapters.ecwid.payload import identifier, number, optional_identifier
from adapters.fields import items_of, obj, obj_or_empty, quantity, text

API_BASE = "https://app.ecwid.com/api/v3"
ENRICHED_TOPICS = frozenset({"order.created", "order.updated", "unfinished_order.created"})
PLACED_TOPIC = "order.created"


def order_request(event: Event, settings: Mapping[str, Any]) -> ApiRequest | None:
    """The order fetch for an order event of the configured store, None without credentials."""
    store_id, token = settings.get("store_id"), settings.get("token")
    source = event.get("source")
    commerce = event.get("commerce")
    if store_id is None or not token or not isinstance(source, dict) or not isinstance(commerce, dict):
        return None
    order_id = commerce.get("orderId")
    # The token opens one store only: events of other stores sharing the app stay as they are.
    if source.get("topic") not in ENRICHED_TOPICS or source.get("shop") != str(store_id) or not order_id:
        return None
    return ApiRequest(url=f"{API_BASE}/{store_id}/orders/{quote(str(order_id), safe='')}",
                      headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})


def enrich_order(event: Event, settings: Mapping[str, Any], response: ApiResponse) -> Event:
    """`event` with the order's items, customer and (given the store's currency) value."""
    if response.status != 200:
        said = response.body.get("errorMessage") if isinstance(response.body, dict) else None
        raise PayloadInvalid("response.status", response.status, "200 and the order from GET /api/v3/{storeId}/"
                             "orders/{orderId}" + (f" (Ecwid said: {said})" if said else ""))
    order = obj(response.body, "order")
    commerce = {**event.get("commerce", {}), "items": _items(order.get("items"))}
    value = _value(event.get("name"), order)
    currency = settings.get("currency")
    if value is not None and currency:
        commerce.update(currency=currency, value=value)
    enriched = {**event, "commerce": commerce}
    user = {**event.get("user", {}), **_customer(order)}
    if user:
        enriched["user"] = user
    # A placed order with a known total is the Purchase (OrderPaid/OrderPlaced stood in for it).
    if event.get("source", {}).get("topic") == PLACED_TOPIC and "value" in commerce:
        enriched["name"] = "Purchase"
    return enriched


def _value(name: Any, order: dict[str, Any]) -> int | float | None:
    """The order total; for a Refund the refunded amount (the total when fully refunded)."""
    total = None if order.get("total") is None else number(order["total"], "order.total")
    if name != "Refund":
        return total
    refunded = None if order.get("refundedAmount") is None else number(order["refundedAmount"], "order.refundedAmount")
    if refunded:
        return refunded
    return total if order.get("paymentStatus") == "REFUNDED" else None


def _items(raw: Any) -> list[dict[str, Any]]:
    return [_item(obj(entry, f"order.items[{index}]"), f"order.items[{index}]")
            for index, entry in enumerate(items_of(raw, "order.items", "a list of order items"))]


def _item(entry: dict[str, Any], path: str) -> dict[str, Any]:
    count = quantity(entry.get("quantity"), f"{path}.quantity")
    item: dict[str, Any] = {"id": identifier(entry.get("productId"), f"{path}.productId"), "quantity": count}
    name = text(entry.get("name"), f"{path}.name")
    if name is not None:
        item["name"] = name
    if entry.get("price") is not None:
        item["price"] = number(entry["price"], f"{path}.price")
    sku = text(entry.get("sku"), f"{path}.sku")
    if sku is not None:
        item["sku"] = sku
    return item


def _customer(order: dict[str, Any]) -> dict[str, str]:
    """The store's customer id (registered customers only), e-mail and billing (or shipping) phone."""
    user: dict[str, str] = {}
    member = optional_identifier(order.get("customerId"), "order.customerId")
    if member is not None:
        user["memberId"] = member
    email = text(order.get("email"), "order.email")
    if email is not None:
        user["email"] = email
    for person in ("billingPerson", "shippingPerson"):
        phone = text(obj_or_empty(order.get(person), f"order.{person}").get("phone"), f"order.{person}.phone")
        if phone is not None:
            user["phone"] = phone
            break
    return user
