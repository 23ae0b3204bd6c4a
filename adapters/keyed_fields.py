"""Typed readers of `parent[key]` in webhook JSON, naming the path `path.key` when a value is wrong.

The keyed counterpart of adapters/fields.py, for adapters that walk their payload object by object
(Wix, Cafe24). Each platform passes the examples its merchants recognise.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time, parse_time

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def join(path: str, key: str) -> str:
    """`path.key`, or `key` at the top."""
    return f"{path}.{key}" if path else key


def text(parent: dict[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
    """A string (or an integer id, kept exact as a string); None when absent or empty."""
    value = parent.get(key)
    if value is None or value == "":
        if required:
            raise PayloadInvalid(join(path, key), value, "a non-empty string")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadInvalid(join(path, key), value, "a string")
    return str(value)


def currency(parent: dict[str, Any], key: str, path: str, *, example: str = "USD") -> str:
    """An ISO 4217 currency code."""
    value = text(parent, key, path, required=True)
    if not _CURRENCY.match(str(value)):
        raise PayloadInvalid(join(path, key), value, f"an ISO 4217 currency code such as {example}")
    return str(value)


def amount(parent: dict[str, Any], key: str, path: str, *, example: str = '"29.99"') -> int | float | None:
    """A decimal amount in major units (a string or a number) as a JSON number; integral amounts as integers."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    expectation = f"a decimal amount such as {example}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadInvalid(join(path, key), value, expectation)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayloadInvalid(join(path, key), value, expectation) from None
    if not number.is_finite():
        raise PayloadInvalid(join(path, key), value, expectation)
    return int(number) if number == number.to_integral_value() else float(number)


def moment(parent: dict[str, Any], key: str, path: str, *, example: str = "2024-01-28T05:32:47.346Z") -> str | None:
    """An RFC 3339 time as the canonical event writes it, None when absent."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    try:
        return format_time(parse_time(value))
    except (ValueError, TypeError):
        raise PayloadInvalid(join(path, key), value, f"an RFC 3339 time, e.g. {example}") from None


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """`values` without the keys whose value is None."""
    return {key: value for key, value in values.items() if value is not None}
