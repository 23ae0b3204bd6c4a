"""dataLayer e-commerce (GA4 `ecommerce` and gtag params, UA Enhanced Ecommerce) as canonical `commerce`.

Money becomes decimal numbers in major units, ids strings, products and GA4 items canonical items.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.base import PayloadInvalid
from adapters.fields import currency
from adapters.gtm.properties import camel_case

# GA4 item keys with a canonical place; every other scalar key goes to the item's properties.
GA4_ITEM_FIELDS = {"item_id": "id", "item_name": "name", "price": "price", "quantity": "quantity",
                   "item_brand": "brand", "item_category": "category", "item_variant": "variant"}
UA_PRODUCT_FIELDS = {"id": "id", "name": "name", "price": "price", "quantity": "quantity", "brand": "brand",
                     "category": "category", "variant": "variant"}
# UA Enhanced Ecommerce actions, the most decisive first (a push may carry impressions beside an action).
UA_ACTIONS = ("purchase", "refund", "checkout", "add", "remove", "detail", "click", "promoClick", "promoView",
              "impressions")
MAX_ITEMS = 200
_TEXT_LIMIT = 512


def number(value: Any, field: str) -> float | int:
    """A price, value or quantity as a JSON number; numeric strings ("15.25") are accepted, as sites send them."""
    if isinstance(value, bool):
        raise PayloadInvalid(field, value, "a number (or a numeric string such as \"15.25\")")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            parsed = Decimal("NaN")
        if parsed.is_finite():
            return int(parsed) if parsed == parsed.to_integral_value() and "." not in value else float(parsed)
    raise PayloadInvalid(field, value, "a number (or a numeric string such as \"15.25\")")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value) if not isinstance(value, bool) else ("true" if value else "false")
    return text[:_TEXT_LIMIT] if text else None


def _item(raw: Any, field: str, names: dict[str, str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PayloadInvalid(field, raw, "an item object")
    item: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        target = names.get(key)
        if target in ("price", "quantity") and value is not None:
            item[target] = number(value, f"{field}.{key}")
        elif target is not None:
            text = _text(value)
            if text is not None:
                item[target] = text[:100] if target == "id" else text
        elif isinstance(value, str | int | float | bool) and key:
            extra[camel_case(key)[:128]] = value if not isinstance(value, str) else value[:_TEXT_LIMIT]
    # GA4 requires one of item_id and item_name; the other stands in for it.
    item.setdefault("id", item.get("name", "")[:100])
    if not item["id"]:
        raise PayloadInvalid(field, raw, "an item with an id or a name (item_id / item_name, or UA id / name)")
    item.setdefault("quantity", 1)  # GA4 and UA both default the quantity to 1
    if extra:
        item["properties"] = extra
    return item


def items_of(raw: Any, field: str, names: dict[str, str] = GA4_ITEM_FIELDS) -> list[dict[str, Any]]:
    """Items (GA4) or products (UA) as canonical items."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PayloadInvalid(field, raw, "a list of items")
    if len(raw) > MAX_ITEMS:
        raise PayloadInvalid(field, f"<{len(raw)} items>", f"at most {MAX_ITEMS} items (GA4's limit)")
    return [_item(item, f"{field}[{index}]", names) for index, item in enumerate(raw)]


def ga4_commerce(params: Mapping[str, Any], field: str, default_currency: str | None) -> dict[str, Any]:
    """GA4 e-commerce parameters (`ecommerce` of a push, or the params of a gtag event) as commerce."""
    commerce: dict[str, Any] = {}
    items = items_of(params.get("items"), f"{field}.items")
    if items:
        commerce["items"] = items
    if params.get("transaction_id") not in (None, ""):
        commerce["orderId"] = str(params["transaction_id"])[:100]
    if params.get("value") is not None:
        commerce["value"] = number(params["value"], f"{field}.value")
    elif items and all("price" in item for item in items):
        commerce["value"] = _sum(items)  # GA4 computes value from the items when it is not sent
    _currency(commerce, params.get("currency"), f"{field}.currency", default_currency)
    return commerce


def ua_action(ecommerce: dict[str, Any]) -> str | None:
    """The Enhanced Ecommerce action a UA push carries, if any."""
    return next((action for action in UA_ACTIONS if isinstance(ecommerce.get(action), dict | list)), None)


def ua_commerce(ecommerce: dict[str, Any], action: str, field: str, default_currency: str | None) -> dict[str, Any]:
    """A UA Enhanced Ecommerce action (`ecommerce.purchase`, `.add`, ...) as commerce."""
    body = ecommerce[action]
    commerce: dict[str, Any] = {}
    key = {"impressions": None, "promoView": "promotions", "promoClick": "promotions"}.get(action, "products")
    if action == "impressions":
        products = body
    elif isinstance(body, dict):
        products = body.get(key) if key == "products" else None
    else:
        products = None
    items = items_of(products, f"{field}.{action}.{key or 'impressions'}", UA_PRODUCT_FIELDS)
    if items:
        commerce["items"] = items
    action_field = body.get("actionField") if isinstance(body, dict) else None
    if isinstance(action_field, dict):
        if action_field.get("id") not in (None, "") and action in ("purchase", "refund"):
            commerce["orderId"] = str(action_field["id"])[:100]
        if action_field.get("revenue") not in (None, ""):
            commerce["value"] = number(action_field["revenue"], f"{field}.{action}.actionField.revenue")
    if "value" not in commerce and action == "purchase" and items and all("price" in i for i in items):
        commerce["value"] = _sum(items)
    _currency(commerce, ecommerce.get("currencyCode"), f"{field}.currencyCode", default_currency)
    return commerce


def _sum(items: list[dict[str, Any]]) -> float:
    total = sum(Decimal(str(item["price"])) * Decimal(str(item.get("quantity", 1))) for item in items)
    return float(total)


def _currency(commerce: dict[str, Any], given: Any, field: str, default_currency: str | None) -> None:
    if given not in (None, ""):
        # A dataLayer is written by each site's developers, not by a platform with a documented format;
        # "usd" has always been read as USD here, and refusing it would lose those sites' purchases.
        commerce["currency"] = currency(given, field, allow_lower_case=True)
    elif default_currency and commerce:
        commerce["currency"] = default_currency
