"""Typed readers of webhook JSON shared by the adapters: each returns one value or raises PayloadInvalid.

Every reader takes the parsed value and its JSON path, and either returns the value typed or raises
`PayloadInvalid(path, value, expectation)`. Readers named `opt_*` (and `text`, `email`, `phone`)
answer None for null or absent values; the others require a value. What only one platform writes
(its time formats, its money objects, its "none" ids) stays in that adapter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from adapters.base import PayloadInvalid
from adapters.times import format_time, parse_time

MAX_ID = 100  # ids in the canonical event are strings of at most 100 characters
MAX_TEXT = 512  # text properties of the canonical event (item names, SKUs, variants)
MAX_ITEMS = 200  # commerce.items in the canonical event; longer orders keep their first 200 lines
MAX_EMAIL = 320  # RFC 3696's longest address
MAX_SOURCE_TEXT = 200  # source.topic, source.deliveryId and source.shop in the canonical event
MAX_PROPERTY_BYTES = 512  # a string property (or trait) of the canonical event, in UTF-8 bytes
PHONE_LENGTHS = range(3, 41)  # shorter or longer is no phone number the canonical event keeps

_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")
T = TypeVar("T")


def provider_source(topic: str, delivery_id: str | None = None, shop: str | None = None) -> dict[str, str]:
    """The provider's `source` fields (topic, delivery id, shop), cut to 200 characters; empty ones left out."""
    given = {"topic": topic, "deliveryId": delivery_id, "shop": shop}
    return {key: value[:MAX_SOURCE_TEXT] for key, value in given.items() if value}


def present_properties(**values: Any) -> dict[str, Any]:
    """The given values that are present, strings kept only when they fit a canonical property."""
    return {key: value for key, value in values.items()
            if value is not None and not (isinstance(value, str) and len(value.encode()) > MAX_PROPERTY_BYTES)}


def obj(value: Any, path: str) -> dict[str, Any]:
    """`value` as a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid(path, value, "a JSON object")
    return value


def opt_obj(value: Any, path: str) -> dict[str, Any] | None:
    """`value` as a JSON object, or None when null or absent."""
    return None if value is None else obj(value, path)


def obj_or_empty(value: Any, path: str) -> dict[str, Any]:
    """`value` as a JSON object; null or absent is an empty one."""
    return {} if value is None else obj(value, path)


def items_of(value: Any, path: str, expectation: str = "a JSON list") -> list[Any]:
    """`value` as a JSON list (null or absent: empty); `expectation` may say what the list holds."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(path, value, expectation)
    return value


def read_lines(value: Any, path: str, read: Callable[[Any], T]) -> list[T]:
    """`read(line)` of each of the list's first MAX_ITEMS lines; a line's problems are named under `path[i]`.

    `read` names fields within its line ("price", not "line_items[3].price"): a line's path is only
    spelled out for an error, not for every field of every line.
    """
    items = []
    for index, line in enumerate(items_of(value, path)[:MAX_ITEMS]):
        try:
            items.append(read(line))
        except PayloadInvalid as error:
            raise error.under(f"{path}[{index}]") from None
    return items


def text(value: Any, path: str) -> str | None:
    """A non-empty string, or None when null, absent or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(path, value, "a string")
    return value


def required_text(value: Any, path: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise PayloadInvalid(path, value, "a non-empty string")
    return value


def short(value: Any, path: str, max_length: int = MAX_TEXT) -> str | None:
    """A non-empty string cut to `max_length` characters (the canonical event's 512), or None."""
    found = text(value, path)
    return found[:max_length] if found else None


def ident(value: Any, path: str, *, max_length: int | None = MAX_ID) -> str:
    """An id written as an integer or a string, as an exact string (integers may exceed 2^53)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value and (max_length is None or len(value) <= max_length):
        return value
    strings = "a non-empty string" if max_length is None else f"a string of 1 to {max_length} characters"
    raise PayloadInvalid(path, value, f"an id: an integer or {strings}")


def opt_ident(value: Any, path: str, *, max_length: int | None = MAX_ID) -> str | None:
    """An id as `ident` reads it, or None when null or absent (an empty string is no id)."""
    return None if value is None else ident(value, path, max_length=max_length)


def amount(value: Any, path: str) -> Decimal:
    """Money in major units, written as a decimal string ("29.99") or a number, as an exact decimal."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        exact = Decimal(str(value))  # through str: 0.1 stays 0.1, not the binary float's expansion
        if exact.is_finite():
            return exact
    elif isinstance(value, str) and _AMOUNT.fullmatch(value):
        return Decimal(value)
    raise PayloadInvalid(path, value, 'an amount in major units: a decimal string such as "29.99", or a number')


def opt_amount(value: Any, path: str) -> Decimal | None:
    """An amount as `amount` reads it, or None when null or absent."""
    return None if value is None else amount(value, path)


def currency(value: Any, path: str) -> str:
    """An ISO 4217 currency code: three capital letters."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise PayloadInvalid(path, value, "an ISO 4217 currency code such as USD")
    return value


def opt_currency(value: Any, path: str) -> str | None:
    """An ISO 4217 currency code, or None when null or absent."""
    return None if value is None else currency(value, path)


def quantity(value: Any, path: str) -> int | float:
    """A line's quantity: a number of at least 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    raise PayloadInvalid(path, value, "a quantity: a number of at least 0")


def email(value: Any, path: str) -> str | None:
    """An e-mail address; None when absent or when the field holds something else (a phone number)."""
    found = text(value, path)
    return found if found and _EMAIL.fullmatch(found) and len(found) <= MAX_EMAIL else None


def phone(value: Any, path: str, *, strip: bool = True) -> str | None:
    """A phone number as written (trimmed unless `strip` is False); None when absent or of no phone's length."""
    found = text(value, path)
    if found and strip:
        found = found.strip()
    return found if found and len(found) in PHONE_LENGTHS else None


def iso_time(value: Any, path: str) -> str:
    """An ISO 8601 (RFC 3339) time with an offset, in the canonical format."""
    try:
        return format_time(parse_time(value))
    except (TypeError, ValueError):
        raise PayloadInvalid(
            path, value, "an ISO 8601 time with an offset, e.g. 2021-12-31T19:00:00-05:00 or 2024-03-29T21:29:21Z",
        ) from None


def opt_iso_time(value: Any, path: str) -> str | None:
    """An ISO 8601 time with an offset in the canonical format, or None when null or absent."""
    return None if value is None else iso_time(value, path)


def major(value: Decimal) -> float:
    """An exact decimal as the JSON number of the canonical event."""
    return float(value)
