"""Typed readers of webhook JSON shared by the adapters: each returns one value or raises PayloadInvalid.

Every reader takes the value (`order.get("total_price")`) and its JSON path (`"total_price"`), and
either returns the value typed or raises `PayloadInvalid(path, value, expectation)`. Readers named
`opt_*` (and `text`, `short`, `email`, `phone`) answer None for null or absent values; the others
require a value. A platform's documented deviation from a common format is a keyword option
(`currency(..., allow_lower_case=True)`), passed with a comment naming the documentation. What only
one platform writes (its money objects, its "none" ids) stays in that adapter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from marshmallow import ValidationError

from adapters.base import PayloadInvalid
from adapters.times import format_time, in_canonical_form, parse_time

__all__ = [
    "MAX_EMAIL",
    "MAX_ID",
    "MAX_ITEMS",
    "MAX_PROPERTY_BYTES",
    "MAX_SOURCE_TEXT",
    "MAX_TEXT",
    "PHONE_LENGTHS",
    "amount",
    "commerce_of",
    "compact",
    "currency",
    "email",
    "ident",
    "items_of",
    "major",
    "money",
    "obj",
    "obj_or_empty",
    "opt_amount",
    "opt_currency",
    "opt_ident",
    "opt_money",
    "opt_obj",
    "opt_rfc3339_time",
    "phone",
    "present_properties",
    "provider_source",
    "quantity",
    "read_lines",
    "required_text",
    "rfc3339_time",
    "setting_validator",
    "short",
    "text",
]

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
_CURRENCY_ANY_CASE = re.compile(r"[A-Za-z]{3}")
_CURRENCY_EXPECTATION = "an ISO 4217 currency code: three capital letters such as USD"
_T = TypeVar("_T")


def provider_source(topic: str, delivery_id: str | None = None, shop: str | None = None) -> dict[str, str]:
    """The provider's `source` fields (topic, delivery id, shop), cut to 200 characters; empty ones left out."""
    given = {"topic": topic, "deliveryId": delivery_id, "shop": shop}
    return {key: value[:MAX_SOURCE_TEXT] for key, value in given.items() if value}


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """`values` without the keys whose value is None."""
    return {key: value for key, value in values.items() if value is not None}


def commerce_of(value: int | float | None, money_currency: str | None, items: list[dict[str, Any]],
                **ids: str | None) -> dict[str, Any]:
    """A canonical commerce object: the value only with its currency, the ids and items present."""
    commerce: dict[str, Any] = {}
    if money_currency:
        commerce["currency"] = money_currency
        if value is not None:
            commerce["value"] = value
    commerce.update({key: found for key, found in ids.items() if found})
    if items:
        commerce["items"] = items
    return commerce


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


def read_lines(value: Any, path: str, read: Callable[[Any], _T]) -> list[_T]:
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
    if type(value) is str:  # the common case first: every adapter reads a dozen of these per event
        return value[:max_length] or None
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


def money(value: Any, path: str) -> int | float:
    """Money in major units as the canonical event writes it: a JSON number (29.5; 30 for 30.0 or "30.00")."""
    if type(value) is int:  # the common cases need no Decimal on the way: one per line of every order
        return value
    if type(value) is float and -_EXACT_INTEGERS < value < _EXACT_INTEGERS:  # NaN and infinities fail this
        return int(value) if value.is_integer() else value
    return major(amount(value, path))


_EXACT_INTEGERS = 2.0**53
"""Below this, a float that is a whole number is that integer exactly."""


def opt_money(value: Any, path: str) -> int | float | None:
    """An amount as `money` reads it, or None when null or absent."""
    return None if value is None else money(value, path)


def opt_amount(value: Any, path: str) -> Decimal | None:
    """An amount as `amount` reads it, or None when null or absent."""
    return None if value is None else amount(value, path)


def currency(value: Any, path: str, *, allow_lower_case: bool = False) -> str:
    """An ISO 4217 currency code: exactly three capital ASCII letters.

    `allow_lower_case` takes "usd" as USD, for a platform that documents lower-case codes.
    """
    if isinstance(value, str):
        if _CURRENCY.fullmatch(value):
            return value
        if allow_lower_case and _CURRENCY_ANY_CASE.fullmatch(value):
            return value.upper()
    expectation = _CURRENCY_EXPECTATION + (" (lower case accepted here: usd)" if allow_lower_case else "")
    raise PayloadInvalid(path, value, expectation)


def opt_currency(value: Any, path: str, *, allow_lower_case: bool = False) -> str | None:
    """An ISO 4217 currency code as `currency` reads it, or None when null or absent."""
    return None if value is None else currency(value, path, allow_lower_case=allow_lower_case)


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


def rfc3339_time(value: Any, path: str, *, allow_offset_without_colon: bool = False,
                 allow_missing_seconds: bool = False, allow_utc_without_offset: bool = False) -> str:
    """An RFC 3339 time with an offset, in the canonical format (UTC, milliseconds, Z).

    The `allow_*` options admit a platform's documented deviation (see `adapters.times.parse_time`).
    """
    try:
        if in_canonical_form(value):
            parse_time(value)  # already in the canonical form, once the calendar has the day
            return value
        return format_time(parse_time(value, allow_offset_without_colon=allow_offset_without_colon,
                                      allow_missing_seconds=allow_missing_seconds,
                                      allow_utc_without_offset=allow_utc_without_offset))
    except ValueError as error:  # parse_time says what it expected
        raise PayloadInvalid(path, value, str(error)) from None


def opt_rfc3339_time(value: Any, path: str, *, allow_offset_without_colon: bool = False,
                     allow_missing_seconds: bool = False, allow_utc_without_offset: bool = False) -> str | None:
    """An RFC 3339 time as `rfc3339_time` reads it, or None when null or absent."""
    if value is None:
        return None
    return rfc3339_time(value, path, allow_offset_without_colon=allow_offset_without_colon,
                        allow_missing_seconds=allow_missing_seconds, allow_utc_without_offset=allow_utc_without_offset)


def major(value: Decimal) -> int | float:
    """An exact decimal as the JSON number of the canonical event; whole amounts as integers (24680, not 24680.0)."""
    return int(value) if value == value.to_integral_value() else float(value)


def setting_validator(read: Callable[[Any, str], object]) -> Callable[[Any], None]:
    """A marshmallow validator applying `read` to a setting: the same rule in tagway.toml as in payloads."""
    def validate(value: Any) -> None:
        try:
            read(value, "")
        except PayloadInvalid as error:
            raise ValidationError(f"expected {error.problems[0].expectation}") from None
    return validate
