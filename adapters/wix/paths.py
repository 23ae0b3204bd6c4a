"""Reading Wix JSON by path: every helper names the JSON path, the value found and what was expected."""

from __future__ import annotations

from typing import Any

from adapters.base import PayloadInvalid
from adapters.fields import obj as as_object
from adapters.jsonbody import parse_json
from adapters.keyed_fields import amount, compact, currency, join, moment, text

__all__ = ["amount", "as_object", "child", "child_list", "compact", "currency", "embedded", "join", "moment",
           "price", "quantity", "text"]


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
