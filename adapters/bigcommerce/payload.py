"""What BigCommerce writes its own way: 0 for no id, status numbers, lower-case currencies, Unix times.

The readers every adapter shares are in adapters/fields.py; wrong values become PayloadInvalid with their path.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from adapters import fields
from adapters.base import PayloadInvalid
from adapters.times import format_time

_CURRENCY = re.compile(r"[A-Za-z]{3}")


def opt_ident(value: Any, path: str) -> str | None:
    """An id as a string; None when null, absent, empty or 0 (BigCommerce's "none", e.g. a guest's customer_id)."""
    if value is None or value == "" or value == 0:
        return None
    return fields.ident(value, path)


def integer(value: Any, path: str) -> int:
    """A whole number (status ids)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PayloadInvalid(path, value, "a whole number")


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
