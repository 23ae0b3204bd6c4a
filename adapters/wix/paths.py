"""Reading Wix JSON by path: every helper names the JSON path, the value found and what was expected."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.base import PayloadInvalid
from adapters.fields import obj as as_object
from adapters.jsonbody import parse_json
from adapters.times import format_time, parse_time

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def join(path: str, key: str) -> str:
    """`path.key`, or `key` at the top."""
    return f"{path}.{key}" if path else key


def child(parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    """The object under `key`, None when absent."""
    value = parent.get(key)
    return None if value is None else as_object(value, join(path, key))


def child_list(parent: dict[str, Any], key: str, path: str) -> list[Any]:
    """The list under `key`, empty when absent."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(join(path, key), value, "a list")
    return value


def embedded(parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    """An object Wix sends either as JSON or as a JSON string (`data`, `identity`, `entityAsJson`, ...)."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_json(value.encode("utf-8"), field=join(path, key))
    return as_object(value, join(path, key))


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


def currency(parent: dict[str, Any], key: str, path: str) -> str:
    """An ISO 4217 currency code."""
    value = text(parent, key, path, required=True)
    if not _CURRENCY.match(str(value)):
        raise PayloadInvalid(join(path, key), value, "an ISO 4217 currency code such as USD")
    return str(value)


def amount(parent: dict[str, Any], key: str, path: str) -> int | float | None:
    """A decimal amount in major units (Wix sends `"40.56"`): a JSON number, integral amounts as integers."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadInvalid(join(path, key), value, 'a decimal amount such as "40.56"')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayloadInvalid(join(path, key), value, 'a decimal amount such as "40.56"') from None
    if not number.is_finite():
        raise PayloadInvalid(join(path, key), value, 'a decimal amount such as "40.56"')
    return int(number) if number == number.to_integral_value() else float(number)


def price(parent: dict[str, Any], key: str, path: str) -> int | float | None:
    """The `amount` of a Wix price object (`{"amount": "10", "formattedAmount": "$10.00"}`)."""
    money = child(parent, key, path)
    return None if money is None else amount(money, "amount", join(path, key))


def quantity(parent: dict[str, Any], key: str, path: str) -> int | float:
    """A number of items, at least 0."""
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PayloadInvalid(join(path, key), value, "a number of items of at least 0")
    return value


def moment(parent: dict[str, Any], key: str, path: str) -> str | None:
    """An RFC 3339 time as the canonical event writes it, None when absent."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    try:
        return format_time(parse_time(value))
    except (ValueError, TypeError):
        raise PayloadInvalid(join(path, key), value, "an RFC 3339 time, e.g. 2024-01-28T05:32:47.346Z") from None


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """`values` without the keys whose value is None."""
    return {key: value for key, value in values.items() if value is not None}
