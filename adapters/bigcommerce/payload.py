"""What BigCommerce writes its own way: 0 for no id, status numbers, Unix times.

The readers every adapter shares are in adapters/fields.py; wrong values become PayloadInvalid with their path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters import fields
from adapters.base import PayloadInvalid
from adapters.times import format_time


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


def unix_time(value: Any, path: str) -> str:
    """A Unix time in seconds (`created_at`) in the canonical format."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return format_time(datetime.fromtimestamp(value, UTC))
        except (OverflowError, OSError, ValueError):
            pass
    raise PayloadInvalid(path, value, "a Unix time in seconds, e.g. 1561479335")
