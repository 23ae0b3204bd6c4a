"""What Ecwid writes its own way: ids of any length ("" for none) and plain JSON numbers.

The readers every adapter shares are in adapters/fields.py; each failure is a PayloadInvalid naming its path.
"""

from __future__ import annotations

from typing import Any

from adapters.base import PayloadInvalid
from adapters.fields import ident


def identifier(value: Any, field: str) -> str:
    """An id Ecwid writes as a number or a string, as an exact string (numbers may exceed 2^53)."""
    # No length limit: Ecwid's ids have never been bounded here, and the event schema still checks them.
    return ident(value, field, max_length=None)


def optional_identifier(value: Any, field: str) -> str | None:
    """An id, or None when absent, null or empty."""
    return None if value is None or value == "" else identifier(value, field)


def number(value: Any, field: str) -> int | float:
    """A JSON number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadInvalid(field, value, "a number")
    return value
