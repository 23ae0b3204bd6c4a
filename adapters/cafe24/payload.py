"""What Cafe24 writes its own way: "" for a value not set, and numbers and strings for one another.

Cafe24 is loose with types (`event_shop_no` is `"1"` or `1`, `product_no` is `781`, `quantity` is
`1` or `"1"`), so text accepts integers and counts accept digit strings. The readers every adapter
shares are in adapters/fields.py; wrong values become PayloadInvalid with their path.
"""

from __future__ import annotations

from typing import Any

from adapters.base import PayloadInvalid
from adapters.fields import text


def unset_as_none(value: Any) -> Any:
    """None for Cafe24's "not set" (`""`, as in `"bank_account_no": ""`), the value itself otherwise."""
    return None if value == "" else value


def loose_text(value: Any, path: str) -> str | None:
    """A string, or an integer Cafe24 writes for one (kept exact as text); None when null, absent or empty."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value, path)


def count(value: Any, path: str) -> int:
    """A whole number of items, at least 0 (`1` or `"1"`)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadInvalid(path, value, "a whole number of items of at least 0")
    return value
