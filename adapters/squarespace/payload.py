"""What Squarespace writes its own way: string-only ids and Money objects.

The readers every adapter shares are in adapters/fields.py; wrong values become PayloadInvalid with their path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters import fields
from adapters.base import PayloadInvalid


def ident(value: Any, path: str) -> str:
    """A Squarespace id (24 hexadecimal digits, or a UUID for variants): always a string, never a number."""
    if isinstance(value, str) and 0 < len(value) <= fields.MAX_ID:
        return value
    raise PayloadInvalid(path, value, "an id: a string of 1 to 100 characters")


def opt_ident(value: Any, path: str) -> str | None:
    """An id, or None when null or absent."""
    return None if value is None else ident(value, path)


def money(value: Any, path: str) -> tuple[Decimal, str]:
    """A Squarespace Money object, {"value": "55.00", "currency": "USD"}, as an exact amount and its currency."""
    found = fields.obj(value, path)
    exact = fields.amount(found.get("value"), f"{path}.value")
    return exact, fields.currency(found.get("currency"), f"{path}.currency")
