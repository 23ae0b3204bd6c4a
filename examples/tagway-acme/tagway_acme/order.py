"""Reading an Acme Shop `order.created` payload into a canonical `Purchase` (the format is this example's own)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from adapters.sdk import Event, PayloadInvalid, format_time, parse_time

# The canonical schema's limits, in UTF-8 bytes so that every string fits whatever its script.
MAX_ID = 100
MAX_TEXT = 512
MAX_LINES = 200  # the canonical schema keeps at most 200 items
AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,4})?")
CURRENCY = re.compile(r"[A-Z]{3}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def obj(value: Any, path: str) -> dict[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(path, value, "a JSON object")
    return value


def text(value: Any, path: str, max_bytes: int = MAX_TEXT) -> str:
    """A non-empty string of at most `max_bytes` UTF-8 bytes."""
    if not isinstance(value, str) or not 0 < len(value.encode()) <= max_bytes:
        raise PayloadInvalid(path, value, f"a string of 1 to {max_bytes} UTF-8 bytes")
    return value


def time(value: Any, path: str) -> str:
    """An RFC 3339 time with an offset, as the canonical UTC form."""
    try:
        return format_time(parse_time(value))
    except (TypeError, ValueError):
        raise PayloadInvalid(path, value, "an RFC 3339 time with an offset, e.g. 2026-11-24T11:59:58.120Z") from None


def amount(value: Any, path: str) -> float:
    """Money as Acme writes it: a decimal string in major units ("29.95"); a JSON number would round."""
    if not isinstance(value, str) or not AMOUNT.fullmatch(value):
        raise PayloadInvalid(path, value, 'a decimal string in major units, e.g. "29.95"')
    return float(Decimal(value))


def currency(value: Any, path: str) -> str:
    """An ISO 4217 code."""
    if not isinstance(value, str) or not CURRENCY.fullmatch(value):
        raise PayloadInvalid(path, value, "an ISO 4217 currency code such as EUR or KRW")
    return value


def quantity(value: Any, path: str) -> int:
    """A whole number of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PayloadInvalid(path, value, "a whole number of at least 1")
    return value


def purchase(payload: dict[str, Any]) -> Event:
    """`order.created` → `Purchase`: who ordered, the order's total and its lines."""
    order = obj(obj(payload.get("data"), "data").get("order"), "data.order")
    customer = obj(order.get("customer"), "data.order.customer")
    user = {"memberId": text(customer.get("id"), "data.order.customer.id", MAX_ID)}
    if customer.get("email") is not None:
        email = text(customer["email"], "data.order.customer.email", 320)
        if not EMAIL.fullmatch(email):
            raise PayloadInvalid("data.order.customer.email", email, "an e-mail address")
        user["email"] = email
    return {
        "name": "Purchase",
        "occurredAt": time(payload.get("created_at"), "created_at"),
        "user": user,
        "commerce": {
            "orderId": text(order.get("id"), "data.order.id", MAX_ID),
            "currency": currency(order.get("currency"), "data.order.currency"),
            "value": amount(order.get("total"), "data.order.total"),
            "items": lines(order.get("lines"), "data.order.lines"),
        },
    }


def lines(value: Any, path: str) -> list[dict[str, Any]]:
    """The order's lines as canonical items."""
    if not isinstance(value, list) or len(value) > MAX_LINES:
        raise PayloadInvalid(path, value, f"a list of at most {MAX_LINES} lines")
    items = []
    for index, raw in enumerate(value):
        line = obj(raw, f"{path}[{index}]")
        items.append({
            "id": text(line.get("product_id"), f"{path}[{index}].product_id", MAX_ID),
            "name": text(line.get("title"), f"{path}[{index}].title"),
            "price": amount(line.get("unit_price"), f"{path}[{index}].unit_price"),
            "quantity": quantity(line.get("quantity"), f"{path}[{index}].quantity"),
        })
    return items
