"""Reading Cafe24 JSON by path: every helper names the JSON path, the value found and what was expected.

Cafe24 is loose with types (`event_shop_no` is `"1"` or `1`, `actual_payment_amount` is `"27580"` or
`"0.00"`), so ids accept strings and integers, amounts decimal strings and numbers.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from adapters import keyed_fields
from adapters.base import PayloadInvalid
from adapters.keyed_fields import compact, join, text

__all__ = ["amount", "compact", "count", "currency", "join", "moment", "text"]

# Cafe24's merchants are Korean shops: the examples are theirs.
currency = partial(keyed_fields.currency, example="KRW")
amount = partial(keyed_fields.amount, example='"24680.00"')
moment = partial(keyed_fields.moment, example="2020-07-17T15:28:14+09:00")


def count(parent: dict[str, Any], key: str, path: str) -> int:
    """A whole number of items, at least 0 (`1` or `"1"`)."""
    value = parent.get(key)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadInvalid(join(path, key), value, "a whole number of items of at least 0")
    return value
