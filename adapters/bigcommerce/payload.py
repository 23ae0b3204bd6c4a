"""Reading BigCommerce's JSON: every wrong value becomes a PayloadInvalid naming its JSON path."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time

_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
MAX_ID = 100  # ids in the canonical event are strings of at most 100 characters
MAX_TEXT = 512  # text properties of the canonical event (names of line items)


def obj(value: Any, path: str) -> dict[str, Any]:
    """`value` as a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(path, value, "a JSON object")
    return value


def items_of(value: Any, path: str) -> list[Any]:
    """`value` as a JSON list (null or absent: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(path, value, "a JSON list")
    return value


def ident(value: Any, path: str) -> str:
    """A BigCommerce id (an integer, or a UUID string for carts) as a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID:
        return value
    raise PayloadInvalid(path, value, "an id: an integer or a string of 1 to 100 characters")


def opt_ident(value: Any, path: str) -> str | None:
    """An id as a string; None when null, absent, empty or 0 (BigCommerce's "none", e.g. a guest's customer_id)."""
    if value is None or value == "" or value == 0:
        return None
    return ident(value, path)


def integer(value: Any, path: str) -> int:
    """A whole number (status ids)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PayloadInvalid(path, value, "a whole number")


def text(value: Any, path: str) -> str | None:
    """A non-empty string, or None when null, absent or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(path, value, "a string")
    return value


def short(value: Any, path: str) -> str | None:
    """A non-empty string cut to the canonical event's 512 characters, or None."""
    found = text(value, path)
    return found[:MAX_TEXT] if found else None


def email(value: Any, path: str) -> str | None:
    """An e-mail address; None when absent or when the field holds something else."""
    found = text(value, path)
    return found if found and _EMAIL.fullmatch(found) and len(found) <= 320 else None


def phone(value: Any, path: str) -> str | None:
    """A phone number as written by the shopper; None when absent or too short or long to be one."""
    found = text(value, path)
    return found.strip() if found and 3 <= len(found.strip()) <= 40 else None


def amount(value: Any, path: str) -> Decimal:
    """Money as BigCommerce writes it ("69.8400", or a number) as an exact decimal."""
    if isinstance(value, int | float) and not isinstance(value, bool) and Decimal(str(value)).is_finite():
        return Decimal(str(value))
    if isinstance(value, str) and _AMOUNT.fullmatch(value):
        return Decimal(value)
    raise PayloadInvalid(path, value, 'an amount in major units, e.g. "69.8400" or 69.84')


def quantity(value: Any, path: str) -> int | float:
    """A line's quantity: a number of at least 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    raise PayloadInvalid(path, value, "a quantity: a number of at least 0")


def currency(value: Any, path: str) -> str:
    """An ISO 4217 currency code, upper-cased (the carts API documents "usd")."""
    if isinstance(value, str) and _CURRENCY.fullmatch(value):
        return value.upper()
    raise PayloadInvalid(path, value, "an ISO 4217 currency code such as USD")


def unix_time(value: Any, path: str) -> str:
    """A Unix time in seconds (`created_at`) in the canonical format."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return format_time(datetime.fromtimestamp(value, UTC))
        except (OverflowError, OSError, ValueError):
            pass
    raise PayloadInvalid(path, value, "a Unix time in seconds, e.g. 1561479335")


def major(value: Decimal) -> float:
    """An exact decimal as the JSON number of the canonical event."""
    return float(value)
