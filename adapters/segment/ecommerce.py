"""Segment's E-commerce Spec v2 (segment.com/docs/connections/spec/ecommerce/v2/): event names and `commerce`."""

from __future__ import annotations

import re
from typing import Any

from adapters.sdk import (
    MAX_ID,
    MAX_ITEMS,
    MAX_TEXT,
    PayloadInvalid,
    ident,
    items_of,
    money,
    obj,
    opt_currency,
    opt_ident,
    quantity,
)

# The spec's names (and the B2B SaaS spec's sign-up and sign-in) → the canonical standard names.
# Keys are the names lower-cased, their words separated by one space ("Order Completed", "order_completed").
STANDARD_NAMES = {
    "products searched": "Search",
    "product list viewed": "ProductListView",
    "product viewed": "ProductView",
    "product added": "AddToCart",
    "product removed": "RemoveFromCart",
    "cart viewed": "CartView",
    "checkout started": "CheckoutBegin",
    "payment info entered": "AddPaymentInfo",
    "order completed": "Purchase",
    "order refunded": "Refund",
    "order cancelled": "OrderCancelled",
    "signed up": "SignUp",
    "signed in": "Login",
}
ONE_PRODUCT = frozenset({"ProductView", "AddToCart", "RemoveFromCart"})
"""Events whose properties are the product itself (spec: "Product Viewed" has product_id, name, price, ...)."""
PRODUCT_LISTS = frozenset({"ProductListView", "CartView", "CheckoutBegin", "AddPaymentInfo", "Purchase", "Refund",
                           "OrderCancelled"})
"""Events whose products are in `properties.products`."""
COMMERCE_NAMES = ONE_PRODUCT | PRODUCT_LISTS
"""The standard names that carry `commerce`."""
ORDER_VALUE_KEYS = ("total", "revenue", "value")
"""An order's value: `total` (with shipping and tax), else `revenue`, else `value` (spec v2, Order Completed)."""
ONE_PRODUCT_KEYS = frozenset({"product_id", "productId", "id", "sku", "price", "quantity", "name", "variant", "brand",
                              "category", "value", "currency", "cart_id", "cartId"})
ORDER_KEYS = frozenset({"products", "currency", "order_id", "orderId", "cart_id", "cartId"})
DEFAULT_CURRENCY = "USD"
"""The Track spec: "If [currency] is not set, we assume the revenue to be in US dollars"."""
PRODUCT_ID_KEYS = ("product_id", "productId", "sku", "id")
_CURRENCY = re.compile("[A-Z]{3}")
TEXT_FIELDS = ("name", "variant", "brand", "category", "sku")
"""A product's text fields the canonical line item keeps (at most 512 characters each)."""
_WORDS = re.compile(r"[A-Za-z0-9]+")


def name_key(event: str) -> str:
    """The spec-table key of an event name: its words, lower case, one space apart."""
    return " ".join(word.lower() for word in _WORDS.findall(event))


def custom_name(event: str) -> str:
    """A Segment event name as a canonical custom name: its words in PascalCase, a letter first, 30 at most."""
    name = "".join(word[:1].upper() + word[1:] for word in _WORDS.findall(event))
    if not name[:1].isalpha():
        name = "Event" + name  # "404 Seen" → Event404Seen; the name as sent stays in source.topic
    return name[:30]


def commerce_of(name: str, properties: dict[str, Any]) -> dict[str, Any] | None:
    """The `commerce` of a standard commerce event from its spec properties; None for other events."""
    # Written for speed (every call of an app's shop goes through it): plain loops, no generator or helper calls
    # for the common case of string ids and a three-letter upper-case currency.
    path = "properties"
    if name in ONE_PRODUCT:
        items = [item_of(properties, path)]
        value_keys: tuple[str, ...] = ("value",)
    elif name in PRODUCT_LISTS:
        items = [item_of(product, f"{path}.products[{index}]")
                 for index, product in enumerate(items_of(properties.get("products"), f"{path}.products",
                                                          "a list of product objects")[:MAX_ITEMS])]
        value_keys = ORDER_VALUE_KEYS
    else:
        return None
    value_key = None
    for key in value_keys:
        if properties.get(key) is not None:
            value_key = key
            break
    currency = properties.get("currency")
    if not (type(currency) is str and _CURRENCY.fullmatch(currency)):
        currency = opt_currency(currency, f"{path}.currency", allow_lower_case=True)
    if value_key is not None or (name == "Purchase" and currency is None):
        currency = currency or DEFAULT_CURRENCY
    commerce: dict[str, Any] = {} if currency is None else {"currency": currency}
    if value_key is not None:
        commerce["value"] = money(properties[value_key], f"{path}.{value_key}")
    for field, snake, camel in _ID_KEYS:
        if snake in properties or camel in properties:
            given = _opt_id(properties, (snake, camel), path)
            if given is not None:
                commerce[field] = given
    if name == "Purchase" and "value" not in commerce:
        raise PayloadInvalid(f"{path}.total", None, "the order's total (or revenue, or value): Order Completed "
                                                    "needs one (Segment E-commerce Spec v2)")
    commerce["items"] = items
    return commerce


_ID_KEYS = (("orderId", "order_id", "orderId"), ("cartId", "cart_id", "cartId"))
"""The commerce ids: the canonical field, the spec's snake_case key, the camelCase some of its examples write."""


def commerce_keys(name: str) -> frozenset[str]:
    """The properties a commerce event's `commerce` holds, left out of its `properties`."""
    return ONE_PRODUCT_KEYS if name in ONE_PRODUCT else ORDER_KEYS


def item_of(product: Any, path: str) -> dict[str, Any]:
    """A line item from a spec product object (product_id or sku as its id; quantity 1 when not given)."""
    product = obj(product, path)
    for key in PRODUCT_ID_KEYS:
        found = product.get(key)
        if found is not None and found != "":
            break
    else:
        raise PayloadInvalid(f"{path}.product_id", None, "the product's id (product_id, or sku)")
    fits = type(found) is str and len(found) <= MAX_ID
    item: dict[str, Any] = {"id": found if fits else ident(found, f"{path}.{key}")}
    price = product.get("price")
    if price is not None:
        item["price"] = money(price, path + ".price")
    given_quantity = product.get("quantity")
    if given_quantity is None:
        item["quantity"] = 1
    elif type(given_quantity) is int and given_quantity >= 0:
        item["quantity"] = given_quantity
    else:
        item["quantity"] = quantity(given_quantity, f"{path}.quantity")
    for field in TEXT_FIELDS:
        value = product.get(field)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            item[field] = value[:MAX_TEXT]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            item[field] = str(value)  # a numeric variant or sku, as its text
        else:
            raise PayloadInvalid(f"{path}.{field}", value, "a string")
    return item


def _opt_id(properties: dict[str, Any], keys: tuple[str, str], path: str) -> str | None:
    """An id under the spec's snake_case key, or the camelCase some of Segment's own examples write."""
    key = keys[0] if properties.get(keys[0]) is not None else keys[1]
    value = properties.get(key)
    if value is None or (type(value) is str and 0 < len(value) <= MAX_ID):
        return value
    return opt_ident(value, f"{path}.{key}")
