"""Reading fields of Ecwid webhook bodies and API answers, each failure a PayloadInvalid naming its path."""

from __future__ import annotations

from typing import Any

from adapters.base import PayloadInvalid


def json_object(value: Any, field: str) -> dict[str, Any]:
    """`value` when it is a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(field, value, "a JSON object")
    return value


def optional_object(value: Any, field: str) -> dict[str, Any]:
    """`value` when it is a JSON object, {} when absent or null."""
    return {} if value is None else json_object(value, field)


def optional_text(value: Any, field: str) -> str | None:
    """A string, or None when absent, null or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(field, value, "a string")
    return value


def identifier(value: Any, field: str) -> str:
    """An id Ecwid writes as a number or a string, as an exact string (numbers may exceed 2^53)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value:
        return value
    raise PayloadInvalid(field, value, "an id: a whole number or a non-empty string")


def optional_identifier(value: Any, field: str) -> str | None:
    """An id, or None when absent, null or empty."""
    return None if value is None or value == "" else identifier(value, field)


def number(value: Any, field: str) -> int | float:
    """A JSON number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadInvalid(field, value, "a number")
    return value
