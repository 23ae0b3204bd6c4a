"""Completing BigCommerce events from the REST API: orders (V2) and carts (V3).

Each call answers one question, so an event may need two: the order (value, currency,
customer), then its products (items). `enrichment_request` names the next call the event needs
and `enrich` merges its answer; the gateway repeats until there is nothing left to fetch. Both
decide from the event alone, so they always agree on which call an answer belongs to.

Response shapes: reference/orders.v2.oas2.yml (Get an Order, List Order Products) and
reference/carts.v3.yml (Cart_Full) in github.com/bigcommerce/docs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from adapters.base import ApiRequest, ApiResponse, Event, PayloadInvalid, Source
from adapters.bigcommerce.mapping import INCOMPLETE
from adapters.bigcommerce.payload import integer, opt_ident
from adapters.fields import (
    MAX_ITEMS,
    amount,
    currency,
    email,
    ident,
    items_of,
    major,
    obj,
    phone,
    quantity,
    read_lines,
    short,
)

API = "https://api.bigcommerce.com/stores"
ORDER_EVENTS_WITH_ITEMS = frozenset({"OrderPlaced", "Purchase"})
CART_ITEM_KINDS = ("physical_items", "digital_items", "custom_items")  # gift certificates are no products


def next_call(event: Event) -> tuple[str, str] | None:
    """What the event still lacks, as (kind, API path): the order, its products, or the cart."""
    commerce = event.get("commerce")
    if not isinstance(commerce, dict):
        return None
    order_id, cart_id = commerce.get("orderId"), commerce.get("cartId")
    if isinstance(order_id, str) and "currency" not in commerce:
        return "order", f"/v2/orders/{quote(order_id, safe='')}"
    if isinstance(order_id, str) and event.get("name") in ORDER_EVENTS_WITH_ITEMS and "items" not in commerce:
        return "products", f"/v2/orders/{quote(order_id, safe='')}/products"
    if isinstance(cart_id, str) and "currency" not in commerce:
        return "cart", f"/v3/carts/{quote(cart_id, safe='')}"
    return None


def enrichment_request(event: Event, source: Source) -> ApiRequest | None:
    """The next API call for the event, when the source has API credentials."""
    store_hash, token = source.settings.get("store_hash"), source.settings.get("access_token")
    call = next_call(event)
    if not (store_hash and token and call):
        return None
    return ApiRequest(url=f"{API}/{store_hash}{call[1]}",
                      headers={"X-Auth-Token": token, "Accept": "application/json"})


def enrich(event: Event, source: Source, response: ApiResponse) -> Event:
    """The event completed with the answer to `enrichment_request`."""
    call = next_call(event)
    if call is None:
        return event
    kind, path = call
    if not 200 <= response.status < 300:
        raise PayloadInvalid("api.status", response.status,
                             f"a successful answer from GET {path} (BigCommerce said: {_message(response.body)})")
    if kind == "order":
        return _with_order(event, obj(response.body, "order"))
    if kind == "products":
        return _with_products(event, items_of(response.body, "products"))
    return _with_cart(event, obj(obj(response.body, "body").get("data"), "data"))


def _with_order(event: Event, order: dict[str, Any]) -> Event:
    """Value, currency, cart and customer; an OrderPlaced whose order is past Incomplete is a Purchase."""
    commerce = dict(event["commerce"])
    # default_currency_code is the transactional currency, "the currency the shopper pays in".
    code = order.get("default_currency_code") or order.get("currency_code")
    # The carts API documents lower-case codes ("usd", reference/carts.v3.yml); orders are read alike.
    commerce["currency"] = currency(code, "order.default_currency_code", allow_lower_case=True)
    # A Refund is worth what the order has given back so far; the other events the order's total.
    total = "refunded_amount" if event.get("name") == "Refund" else "total_inc_tax"
    commerce["value"] = major(amount(order.get(total), f"order.{total}"))
    cart_id = opt_ident(order.get("cart_id"), "order.cart_id")
    if cart_id:
        commerce.setdefault("cartId", cart_id)
    billing = order.get("billing_address")
    address = obj(billing, "order.billing_address") if billing is not None else {}
    user = {"memberId": opt_ident(order.get("customer_id"), "order.customer_id"),
            "email": email(address.get("email"), "order.billing_address.email"),
            "phone": phone(address.get("phone"), "order.billing_address.phone")}
    name = event.get("name")
    if name == "OrderPlaced" and integer(order.get("status_id"), "order.status_id") != INCOMPLETE:
        name = "Purchase"
    return {**event, "name": name, "commerce": commerce, **_user(event, user)}


def _with_products(event: Event, products: list[Any]) -> Event:
    """The order's line items (the first 200)."""
    return {**event, "commerce": {**event["commerce"], "items": read_lines(products, "products", _order_item)}}


def _order_item(raw: Any) -> dict[str, Any]:
    """One order product; custom products (product_id 0) are named by their SKU; fields named within the row."""
    row = obj(raw, "")
    sku = short(row.get("sku"), "sku")
    item_id = (opt_ident(row.get("product_id"), "product_id") or (sku[:100] if sku else None)
               or ident(row.get("id"), "id"))
    item: dict[str, Any] = {"id": item_id, "quantity": quantity(row.get("quantity"), "quantity")}
    name = short(row.get("name"), "name")
    if name:
        item["name"] = name
    if row.get("price_inc_tax") is not None:
        item["price"] = major(amount(row["price_inc_tax"], "price_inc_tax"))
    brand = short(row.get("brand"), "brand")
    item.update({k: v for k, v in (("sku", sku), ("brand", brand)) if v})
    return item


def _with_cart(event: Event, cart: dict[str, Any]) -> Event:
    """Currency, customer and items; a CartItemAdded whose line is still in the cart is an AddToCart."""
    commerce = dict(event["commerce"])
    code = obj(cart.get("currency"), "data.currency").get("code")
    # Lower case as the carts API documents it: "usd" (reference/carts.v3.yml).
    commerce["currency"] = currency(code, "data.currency.code", allow_lower_case=True)
    lines = obj(cart.get("line_items"), "data.line_items")
    found = [(_cart_item(obj(line, f"data.line_items.{kind}[{i}]"), f"data.line_items.{kind}[{i}]", kind), line)
             for kind in CART_ITEM_KINDS
             for i, line in enumerate(items_of(lines.get(kind), f"data.line_items.{kind}"))]
    name = event.get("name")
    if name == "CartItemAdded":
        added = _properties(event).get("lineItemId")
        found = [entry for entry in found if entry[1].get("id") == added]
        if found:
            name = "AddToCart"
            commerce["value"] = found[0][0][1]
    else:
        commerce["value"] = major(amount(cart.get("cart_amount"), "data.cart_amount"))
    commerce["items"] = [item for (item, _), _ in found][:MAX_ITEMS]
    user = {"memberId": opt_ident(cart.get("customer_id"), "data.customer_id"),
            "email": email(cart.get("email"), "data.email")}
    return {**event, "name": name, "commerce": commerce, **_user(event, user)}


def _cart_item(line: dict[str, Any], path: str, kind: str) -> tuple[dict[str, Any], float]:
    """One cart line and its extended price; custom items have no product id, only a SKU and a list price."""
    sku = short(line.get("sku"), f"{path}.sku")
    if kind == "custom_items":
        item_id = sku[:100] if sku else ident(line.get("id"), f"{path}.id")
        price_key, total_key = "list_price", "extended_list_price"
    else:
        item_id = ident(line.get("product_id"), f"{path}.product_id")
        price_key, total_key = "sale_price", "extended_sale_price"
    item: dict[str, Any] = {"id": item_id, "quantity": quantity(line.get("quantity"), f"{path}.quantity"),
                            "price": major(amount(line.get(price_key), f"{path}.{price_key}"))}
    name = short(line.get("name"), f"{path}.name")
    item.update({k: v for k, v in (("name", name), ("sku", sku)) if v})
    return item, major(amount(line.get(total_key), f"{path}.{total_key}"))


def _user(event: Event, found: Mapping[str, str | None]) -> dict[str, Any]:
    """The event's user with the identifiers found added (those the webhook gave stay)."""
    user = event.get("user")
    given = user if isinstance(user, dict) else {}
    merged = {**{k: v for k, v in found.items() if v}, **given}
    return {"user": merged} if merged else {}


def _properties(event: Event) -> dict[str, Any]:
    properties = event.get("properties")
    return properties if isinstance(properties, dict) else {}


def _message(body: Any) -> str:
    """BigCommerce's error text: `title` (V3), `[{"message"}]` (V2), or the status alone."""
    if isinstance(body, dict) and isinstance(body.get("title"), str):
        return body["title"][:200]
    if isinstance(body, list) and body and isinstance(body[0], dict) and isinstance(body[0].get("message"), str):
        return body[0]["message"][:200]
    return "no error message"
