"""Reading Squarespace's JSON: every wrong value becomes a PayloadInvalid naming its JSON path."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time, parse_time

_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")
MAX_ID = 100  # ids in the canonical event are strings of at most 100 characters
MAX_TEXT = 512  # text properties of the canonical event


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


def text(value: Any, path: str) -> str | None:
    """A non-empty string, or None when null, absent or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(path, value, "a string")
    return value


def ident(value: Any, path: str) -> str:
    """A Squarespace id (24 hexadecimal digits, or a UUID for variants)."""
    if isinstance(value, str) and 0 < len(value) <= MAX_ID:
        return value
    raise PayloadInvalid(path, value, "an id: a string of 1 to 100 characters")


def opt_ident(value: Any, path: str) -> str | None:
    """An id, or None when null or absent."""
    return None if value is None else ident(value, path)


def short(value: Any, path: str) -> str | None:
    """A non-empty string cut to the canonical event's 512 characters, or None."""
    found = text(value, path)
    return found[:MAX_TEXT] if found else None


def email(value: Any, path: str) -> str | None:
    """An e-mail address; None when absent or when the field holds something else."""
    found = text(value, path)
    return found if found and _EMAIL.fullmatch(found) and len(found) <= 320 else None


def phone(value: Any, path: str) -> str | None:
    """A phone number as written at checkout; None when absent or too short or long to be one."""
    found = text(value, path)
    return found.strip() if found and 3 <= len(found.strip()) <= 40 else None


def money(value: Any, path: str) -> tuple[Decimal, str]:
    """A Squarespace Money object, {"value": "55.00", "currency": "USD"}, as an exact amount and its currency."""
    found = obj(value, path)
    amount, code = found.get("value"), found.get("currency")
    if isinstance(amount, int | float) and not isinstance(amount, bool) and Decimal(str(amount)).is_finite():
        exact = Decimal(str(amount))
    elif isinstance(amount, str) and _AMOUNT.fullmatch(amount):
        exact = Decimal(amount)
    else:
        raise PayloadInvalid(f"{path}.value", amount, 'an amount in major units, e.g. "55.00"')
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code):
        raise PayloadInvalid(f"{path}.currency", code, "an ISO 4217 currency code such as USD")
    return exact, code


def quantity(value: Any, path: str) -> int | float:
    """A line's quantity: a number of at least 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    raise PayloadInvalid(path, value, "a quantity: a number of at least 0")


def time(value: Any, path: str) -> str:
    """An ISO 8601 time with an offset (seconds may be missing, as in the docs' examples) in the canonical format."""
    try:
        return format_time(parse_time(value))
    except (TypeError, ValueError):
        raise PayloadInvalid(path, value, "an ISO 8601 time with an offset, e.g. 2020-04-22T22:18:00+00:00") from None
