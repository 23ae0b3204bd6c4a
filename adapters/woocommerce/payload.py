"""What WooCommerce writes its own way: escaped text, WordPress ids, "" amounts, GMT times without an offset.

The readers every adapter shares are in adapters/fields.py; wrong values become PayloadInvalid with their path.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from adapters import fields
from adapters.base import PayloadInvalid


def ident(value: Any, path: str) -> str | None:
    """A WordPress id as a string; None when null, absent or 0 (WooCommerce's "none", e.g. a guest)."""
    if value is None or value == 0 or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and len(value) <= fields.MAX_ID:
        return value
    raise PayloadInvalid(path, value, "an id: a positive integer")


def text(value: Any, path: str) -> str | None:
    """A non-empty string with HTML entities decoded (WordPress stores names escaped), or None."""
    found = fields.text(value, path)
    return None if found is None else html.unescape(found)


def email(value: Any, path: str) -> str | None:
    """An e-mail address (entities decoded first), or None when absent or not an address."""
    return fields.email(text(value, path), path)


def phone(value: Any, path: str) -> str | None:
    """A phone number as the shop recorded it (entities decoded, not trimmed); None when absent or too short or long."""
    return fields.phone(text(value, path), path, strip=False)


def amount(value: Any, path: str) -> Decimal | None:
    """Money as WooCommerce writes it ("29.35", or a number for a line's price); None when null or "" (no price)."""
    return None if value == "" else fields.opt_amount(value, path)


def gmt_time(value: Any, path: str) -> str | None:
    """A `*_gmt` time (`2017-03-22T19:28:02`, UTC without an offset) in the canonical format; None if absent or ""."""
    if value == "":
        return None
    # The REST API's `date_*_gmt` fields are "as GMT" with no offset written (woocommerce-rest-api-docs,
    # source/includes/wp-api-v3/_orders.md and _customers.md); webhook bodies are those same resources.
    return fields.opt_rfc3339_time(value, path, allow_utc_without_offset=True)
