"""What Wix writes its own way: objects sent as JSON strings, and price objects.

The readers every adapter shares are in adapters/fields.py; wrong values become PayloadInvalid with their path.
"""

from __future__ import annotations

from typing import Any

from adapters.fields import major, obj, opt_amount, opt_obj
from adapters.jsonbody import parse_json


def embedded(value: Any, path: str) -> dict[str, Any] | None:
    """An object Wix sends as JSON or as a JSON string (`data`, `identity`, `entityAsJson`, ...); None if absent."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_json(value.encode("utf-8"), field=path)
    return obj(value, path)


def price(value: Any, path: str) -> int | float | None:
    """The `amount` of a Wix price object (`{"amount": "10", "formattedAmount": "$10.00"}`); None if absent."""
    money = opt_obj(value, path)
    found = None if money is None else opt_amount(money.get("amount"), f"{path}.amount")
    return None if found is None else major(found)
