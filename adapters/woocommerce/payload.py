"""Reading WooCommerce's JSON (the REST API's resources): wrong values become PayloadInvalid with their path."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time

_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")
MAX_TEXT = 512  # characters of a canonical item's name or sku


def obj(value: Any, path: str) -> dict[str, Any]:
    """`value` as a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(path, value, "a JSON object")
    return value


def opt_obj(value: Any, path: str) -> dict[str, Any]:
    """`value` as a JSON object; null or absent is an empty one."""
    return {} if value is None else obj(value, path)


def items_of(value: Any, path: str) -> list[Any]:
    """`value` as a JSON list (null or absent: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(path, value, "a JSON list")
    return value


def ident(value: Any, path: str) -> str | None:
    """A WordPress id as a string; None when null, absent or 0 (WooCommerce's "none", e.g. a guest)."""
    if value is None or value == 0 or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and len(value) <= 100:
        return value
    raise PayloadInvalid(path, value, "an id: a positive integer")


def text(value: Any, path: str) -> str | None:
    """A non-empty string with HTML entities decoded (WordPress stores names escaped), or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(path, value, "a string")
    return html.unescape(value)


def amount(value: Any, path: str) -> Decimal | None:
    """Money as WooCommerce writes it ("29.35", or a number for a line's price) as an exact decimal."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str) and _AMOUNT.fullmatch(value):
        return Decimal(value)
    raise PayloadInvalid(path, value, 'an amount in major units, e.g. "29.35"')


def currency(value: Any, path: str) -> str:
    """The order's ISO 4217 currency code."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise PayloadInvalid(path, value, "an ISO 4217 currency code such as USD")
    return value


def quantity(value: Any, path: str) -> int | float:
    """A line's quantity: a number of at least 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    raise PayloadInvalid(path, value, "a quantity: a number of at least 0")


def gmt_time(value: Any, path: str) -> str | None:
    """A `*_gmt` time (`2017-03-22T19:28:02`, UTC without an offset) in the canonical format; None if absent."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadInvalid(path, value, "a GMT time such as 2017-03-22T19:28:02") from None
    return format_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def email(value: Any, path: str) -> str | None:
    """An e-mail address, or None when absent or not an address."""
    found = text(value, path)
    return found if found and _EMAIL.fullmatch(found) and len(found) <= 320 else None


def phone(value: Any, path: str) -> str | None:
    """A phone number as the shop recorded it, or None when absent or too short or long for the event."""
    found = text(value, path)
    return found if found and 3 <= len(found) <= 40 else None


def major(value: Decimal) -> float:
    """An exact decimal as the JSON number of the canonical event."""
    return float(value)
