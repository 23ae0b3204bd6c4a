"""Reading fields of a Webflow webhook body, each failure a PayloadInvalid naming its JSON path."""

from __future__ import annotations

from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time, parse_time


def json_object(value: Any, field: str) -> dict[str, Any]:
    """`value` when it is a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(field, value, "a JSON object")
    return value


def optional_object(value: Any, field: str) -> dict[str, Any]:
    """`value` when it is a JSON object, {} when absent or null."""
    return {} if value is None else json_object(value, field)


def required_text(value: Any, field: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise PayloadInvalid(field, value, "a non-empty string")
    return value


def optional_text(value: Any, field: str) -> str | None:
    """A string, or None when absent, null or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(field, value, "a string")
    return value


def optional_time(value: Any, field: str) -> str | None:
    """An ISO 8601 time with an offset (as Webflow writes them) in the canonical format, or None."""
    if value is None:
        return None
    try:
        return format_time(parse_time(value))
    except (TypeError, ValueError):
        raise PayloadInvalid(field, value, "an ISO 8601 time with an offset, e.g. 2024-03-29T21:29:21Z") from None


def count(value: Any, field: str) -> int | float:
    """A quantity: a number of at least 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PayloadInvalid(field, value, "a number of at least 0")
    return value
