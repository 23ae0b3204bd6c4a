"""Reading Shopify's JSON: every wrong value becomes a PayloadInvalid naming its JSON path."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time, parse_time

_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")


def obj(value: Any, path: str) -> dict[str, Any]:
    """`value` as a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(path, value, "a JSON object")
    return value


def opt_obj(value: Any, path: str) -> dict[str, Any] | None:
    """`value` as a JSON object, or None when null or absent."""
    return None if value is None else obj(value, path)


def items_of(value: Any, path: str) -> list[Any]:
    """`value` as a JSON list (null or absent: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(path, value, "a JSON list")
    return value


def ident(value: Any, path: str) -> str | None:
    """A Shopify id (a 64-bit integer, or a token string) as a string; None when null or absent."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= 100:
        return value
    raise PayloadInvalid(path, value, "an id: an integer or a string of 1 to 100 characters")


def text(value: Any, path: str) -> str | None:
    """A non-empty string, or None when null, absent or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(path, value, "a string")
    return value


def amount(value: Any, path: str) -> Decimal | None:
    """Money as Shopify writes it ("29.99"; numbers in a few places) as an exact decimal."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str) and _AMOUNT.fullmatch(value):
        return Decimal(value)
    raise PayloadInvalid(path, value, 'an amount in major units, e.g. "29.99"')


def currency(value: Any, path: str) -> str | None:
    """An ISO 4217 currency code, or None when null or absent."""
    if value is None:
        return None
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise PayloadInvalid(path, value, "an ISO 4217 currency code such as USD")
    return value


def quantity(value: Any, path: str) -> int | float:
    """A line's quantity: a number of at least 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    raise PayloadInvalid(path, value, "a quantity: a number of at least 0")


def time(value: Any, path: str) -> str | None:
    """A Shopify time (ISO 8601 with an offset) in the canonical format; None when null or absent."""
    if value is None:
        return None
    try:
        return format_time(parse_time(value))
    except (TypeError, ValueError):
        raise PayloadInvalid(path, value, "an ISO 8601 time with an offset, e.g. 2021-12-31T19:00:00-05:00") from None


def email(value: Any, path: str) -> str | None:
    """An e-mail address; None when absent or when the field holds something else (a phone number)."""
    found = text(value, path)
    return found if found and _EMAIL.fullmatch(found) and len(found) <= 320 else None


def major(value: Decimal) -> float:
    """An exact decimal as the JSON number of the canonical event."""
    return float(value)
