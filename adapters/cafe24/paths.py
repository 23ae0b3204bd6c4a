"""Reading Cafe24 JSON by path: every helper names the JSON path, the value found and what was expected.

Cafe24 is loose with types (`event_shop_no` is `"1"` or `1`, `actual_payment_amount` is `"27580"` or
`"0.00"`), so ids accept strings and integers, amounts decimal strings and numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.base import PayloadInvalid
from adapters.times import format_time, parse_time

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = 'a decimal amount such as "24680.00"'


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


def currency(parent: dict[str, Any], key: str, path: str) -> str:
    """An ISO 4217 currency code."""
    value = text(parent, key, path, required=True)
    if not _CURRENCY.match(str(value)):
        raise PayloadInvalid(join(path, key), value, "an ISO 4217 currency code such as KRW")
    return str(value)


def amount(parent: dict[str, Any], key: str, path: str) -> int | float | None:
    """A decimal amount in major units as a JSON number; integral amounts (all of KRW) as integers."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadInvalid(join(path, key), value, _AMOUNT)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayloadInvalid(join(path, key), value, _AMOUNT) from None
    if not number.is_finite():
        raise PayloadInvalid(join(path, key), value, _AMOUNT)
    return int(number) if number == number.to_integral_value() else float(number)


def count(parent: dict[str, Any], key: str, path: str) -> int:
    """A whole number of items, at least 0 (`1` or `"1"`)."""
    value = parent.get(key)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadInvalid(join(path, key), value, "a whole number of items of at least 0")
    return value


def moment(parent: dict[str, Any], key: str, path: str) -> str | None:
    """An RFC 3339 time as the canonical event writes it, None when absent."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    try:
        return format_time(parse_time(value))
    except (ValueError, TypeError):
        raise PayloadInvalid(join(path, key), value, "an RFC 3339 time, e.g. 2020-07-17T15:28:14+09:00") from None


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """`values` without the keys whose value is None."""
    return {key: value for key, value in values.items() if value is not None}
