"""Shopify Web Pixels events → canonical events (the table is in this folder's README.md).

Shapes from `@shopify/web-pixels-extension` 2.18.0 (`types/PixelEvents/index.ts`): MoneyV2 amounts are JSON
numbers in major units, ids are strings (numeric, or `gid://shopify/<Type>/<id>`), and nearly everything
may be null. Every field is read as hostile: anyone can publish events from a browser console.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from adapters.base import CUT_PROPERTIES, Event, PayloadInvalid
from adapters.fields import (
    MAX_ID,
    MAX_PROPERTY_BYTES,
    MAX_TEXT,
    commerce_of,
    compact,
    currency,
    email,
    items_of,
    obj,
    obj_or_empty,
    opt_currency,
    opt_money,
    opt_obj,
    phone,
    quantity,
    read_lines,
    short,
    text,
)
from adapters.pixel_envelope import custom_name, is_web_address

_GID = re.compile(r"gid://shopify/[A-Za-z]+/")
MAX_PROPERTIES = 100  # flattened keys kept of a custom event's customData

Mapper = Callable[[dict[str, Any]], "Event | None"]


def shopify_id(value: Any, path: str) -> str | None:
    """An id as a string, its `gid://shopify/<Type>/` prefix taken off; None when null or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise PayloadInvalid(path, value, "an id: a string such as \"7234590834801\" or gid://shopify/Product/1")
    found = _GID.sub("", value, count=1) if value.startswith("gid://") else value
    if not found or len(found) > MAX_ID:
        raise PayloadInvalid(path, value, f"an id of 1 to {MAX_ID} characters")
    return found


def _money(value: Any, path: str) -> tuple[int | float | None, str | None]:
    """A MoneyV2 `{amount, currencyCode}` as (amount in major units, currency); (None, None) when null."""
    given = opt_obj(value, path)
    if given is None:
        return None, None
    found, code = given.get("amount"), given.get("currencyCode")
    return (opt_money(found, f"{path}.amount"),
            None if code is None else currency(code, f"{path}.currencyCode"))


def _variant_item(variant: dict[str, Any], count: Any = 1) -> dict[str, Any]:
    """A ProductVariant as a canonical item: the product's id, the variant's in properties."""
    product = obj_or_empty(variant.get("product"), "product")
    variant_id = shopify_id(variant.get("id"), "id")
    item_id = shopify_id(product.get("id"), "product.id") or variant_id or short(variant.get("sku"), "sku", MAX_ID)
    if item_id is None:
        raise PayloadInvalid("product.id", product.get("id"), "the product's id (or the variant's id, or a sku)")
    price, _ = _money(variant.get("price"), "price")
    name = short(product.get("title"), "product.title") or short(variant.get("title"), "title")
    title = short(variant.get("title"), "title")
    return compact({
        "id": item_id,
        "name": name,
        "price": price,
        "quantity": quantity(count, "quantity"),
        "variant": title if title and title != "Default Title" else None,
        "brand": short(product.get("vendor"), "product.vendor"),
        "category": short(product.get("type"), "product.type"),
        "sku": short(variant.get("sku"), "sku"),
        "properties": {"variantId": variant_id} if variant_id and variant_id != item_id else None,
    })


def _line_item(line: Any) -> dict[str, Any]:
    """A CheckoutLineItem: its variant, quantity and final line price per unit."""
    line = obj(line, "")
    variant = opt_obj(line.get("variant"), "variant")
    count = line.get("quantity")
    if variant is None:  # a line without a variant (a removed product): its own id and title
        line_id = shopify_id(line.get("id"), "id")
        if line_id is None:
            raise PayloadInvalid("id", line.get("id"), "the line's id, when it has no variant")
        return compact({"id": line_id, "name": short(line.get("title"), "title"),
                        "quantity": quantity(count, "quantity")})
    try:
        item = _variant_item(variant, count)
    except PayloadInvalid as error:
        raise error.under("variant") from None
    if not item.get("name"):
        item["name"] = short(line.get("title"), "title")
    return compact(item)


def _cart_line(line: Any) -> dict[str, Any]:
    """A CartLine: its merchandise (a variant) and quantity."""
    line = obj(line, "")
    merchandise = obj(line.get("merchandise"), "merchandise")
    count = quantity(line.get("quantity"), "quantity")
    try:
        return _variant_item(merchandise, count)
    except PayloadInvalid as error:
        raise error.under("merchandise") from None


def _variants(value: Any, path: str) -> list[dict[str, Any]]:
    """A list of ProductVariants as items (one of each)."""
    return read_lines(value, path, lambda variant: _variant_item(obj(variant, "")))


def page_viewed(data: dict[str, Any]) -> Event:
    """page_viewed: its data is empty by design, the page is the event's context."""
    return {"name": "PageView"}


def product_viewed(data: dict[str, Any]) -> Event:
    """product_viewed: the variant shown."""
    variant = obj(data.get("productVariant"), "data.productVariant")
    try:
        item = _variant_item(variant)
    except PayloadInvalid as error:
        raise error.under("data.productVariant") from None
    price, money_currency = _money(variant.get("price"), "data.productVariant.price")
    return {"name": "ProductView", "commerce": commerce_of(price, money_currency, [item])}


def collection_viewed(data: dict[str, Any]) -> Event:
    """collection_viewed: the collection's first variants; the all-products collection has the id ""."""
    collection = obj(data.get("collection"), "data.collection")
    items = _variants(collection.get("productVariants"), "data.collection.productVariants")
    first = obj_or_empty((collection.get("productVariants") or [None])[0], "data.collection.productVariants[0]")
    _, money_currency = _money(first.get("price"), "data.collection.productVariants[0].price")
    properties = compact({"listId": shopify_id(collection.get("id"), "data.collection.id"),
                          "listName": short(collection.get("title"), "data.collection.title")})
    event: Event = {"name": "ProductListView", "commerce": commerce_of(None, money_currency, items)}
    if properties:
        event["properties"] = properties
    return event


def search_submitted(data: dict[str, Any]) -> Event:
    """search_submitted: the query, and the first variant of each product found."""
    result = obj(data.get("searchResult"), "data.searchResult")
    query = result.get("query")
    if not isinstance(query, str):
        raise PayloadInvalid("data.searchResult.query", query, "the search query: a string")
    event: Event = {"name": "Search", "properties": {"searchTerm": query.encode()[:MAX_PROPERTY_BYTES].decode(
        "utf-8", "ignore")}}
    items = _variants(result.get("productVariants"), "data.searchResult.productVariants")
    if items:
        event["commerce"] = {"items": items}
    return event


def _cart_line_event(name: str) -> Mapper:
    """The mapper of an event about one cart line."""
    def mapper(data: dict[str, Any]) -> Event | None:
        line = opt_obj(data.get("cartLine"), "data.cartLine")
        if line is None:  # the types allow it; an add without a line names no product to record
            return None
        try:
            item = _cart_line(line)
        except PayloadInvalid as error:
            raise error.under("data.cartLine") from None
        value, money_currency = _money(obj_or_empty(line.get("cost"), "data.cartLine.cost").get("totalAmount"),
                                       "data.cartLine.cost.totalAmount")
        return {"name": name, "commerce": commerce_of(value, money_currency, [item])}
    mapper.__doc__ = f"product_added_to_cart / product_removed_from_cart: one cart line, as {name}."
    return mapper


def cart_viewed(data: dict[str, Any]) -> Event:
    """cart_viewed: the cart's lines and total (the cart may be null)."""
    cart = opt_obj(data.get("cart"), "data.cart") or {}
    items = read_lines(cart.get("lines"), "data.cart.lines", _cart_line)
    value, money_currency = _money(obj_or_empty(cart.get("cost"), "data.cart.cost").get("totalAmount"),
                                   "data.cart.cost.totalAmount")
    return {"name": "CartView", "commerce": commerce_of(value, money_currency, items,
                                                      cartId=_cart_id(cart.get("id"), "data.cart.id"))}


def _cart_id(value: Any, path: str) -> str | None:
    """A cart's opaque token (`gid://shopify/Cart/<token>?key=...`): the token alone."""
    found = shopify_id(value.split("?", 1)[0] if isinstance(value, str) else value, path)
    return found


def _checkout_event(name: str, **extra: Callable[[dict[str, Any]], dict[str, Any]]) -> Mapper:
    """The mapper of a checkout step; `extra` readers add the step's own properties."""
    def mapper(data: dict[str, Any]) -> Event:
        checkout = obj(data.get("checkout"), "data.checkout")
        value, total_currency = _money(checkout.get("totalPrice"), "data.checkout.totalPrice")
        money_currency = opt_currency(checkout.get("currencyCode"), "data.checkout.currencyCode") or total_currency
        items = read_lines(checkout.get("lineItems"), "data.checkout.lineItems", _line_item)
        order = obj_or_empty(checkout.get("order"), "data.checkout.order")
        order_id = shopify_id(order.get("id"), "data.checkout.order.id") if name == "Purchase" else None
        if name == "Purchase" and order_id is None:
            raise PayloadInvalid("data.checkout.order.id", order.get("id"),
                                 "the order's id (Shopify sets it on checkout_completed)")
        if name == "Purchase" and money_currency is None:
            raise PayloadInvalid("data.checkout.currencyCode", checkout.get("currencyCode"),
                                 "the order's currency (currencyCode, or totalPrice.currencyCode)")
        commerce = commerce_of(value, money_currency, items, orderId=order_id)
        if name == "Purchase" and "value" not in commerce:
            raise PayloadInvalid("data.checkout.totalPrice.amount", None, "the order's total")
        properties = compact({"checkoutToken": short(checkout.get("token"), "data.checkout.token")})
        for read in extra.values():
            properties.update(read(checkout))
        event: Event = {"name": name, "commerce": commerce}
        if properties:
            event["properties"] = properties
        user = compact({"email": email(checkout.get("email"), "data.checkout.email"),
                        "phone": phone(checkout.get("phone"), "data.checkout.phone"),
                        "memberId": shopify_id(obj_or_empty(order.get("customer"), "data.checkout.order.customer")
                                               .get("id"), "data.checkout.order.customer.id")})
        if user:
            event["user"] = user
        return event
    mapper.__doc__ = f"A checkout step as {name}: the checkout's total, lines and contact."
    return mapper


def _shipping(checkout: dict[str, Any]) -> dict[str, Any]:
    """The delivery option chosen (its title)."""
    delivery = obj_or_empty(checkout.get("delivery"), "data.checkout.delivery")
    options = items_of(delivery.get("selectedDeliveryOptions"), "data.checkout.delivery.selectedDeliveryOptions")
    first = obj_or_empty(options[0] if options else None, "data.checkout.delivery.selectedDeliveryOptions[0]")
    title = short(first.get("title"), "data.checkout.delivery.selectedDeliveryOptions[0].title")
    return compact({"shippingTier": title})


def _payment(checkout: dict[str, Any]) -> dict[str, Any]:
    """The payment method of the first transaction."""
    transactions = items_of(checkout.get("transactions"), "data.checkout.transactions")
    first = obj_or_empty(transactions[0] if transactions else None, "data.checkout.transactions[0]")
    method = obj_or_empty(first.get("paymentMethod"), "data.checkout.transactions[0].paymentMethod")
    return compact({"paymentType": short(method.get("name"), "data.checkout.transactions[0].paymentMethod.name")})


STANDARD: dict[str, Mapper] = {
    "page_viewed": page_viewed,
    "product_viewed": product_viewed,
    "collection_viewed": collection_viewed,
    "search_submitted": search_submitted,
    "product_added_to_cart": _cart_line_event("AddToCart"),
    "product_removed_from_cart": _cart_line_event("RemoveFromCart"),
    "cart_viewed": cart_viewed,
    "checkout_started": _checkout_event("CheckoutBegin"),
    "checkout_contact_info_submitted": _checkout_event("CheckoutContactInfoSubmitted"),
    "checkout_address_info_submitted": _checkout_event("CheckoutAddressInfoSubmitted"),
    "checkout_shipping_info_submitted": _checkout_event("AddShippingInfo", shipping=_shipping),
    "payment_info_submitted": _checkout_event("AddPaymentInfo", payment=_payment),
    "checkout_completed": _checkout_event("Purchase"),
}
"""The standard events the snippet subscribes to; any other standard, DOM or advanced-DOM event is not recorded."""


def custom_event(name: str, custom_data: Any) -> Event:
    """A custom event (`Shopify.analytics.publish`): its name made canonical, its customData flattened."""
    event: Event = {"name": custom_name(name)}
    properties, cut = flatten(obj_or_empty(custom_data, "event.customData"))
    properties["shopifyEventName"] = name.encode()[:MAX_PROPERTY_BYTES].decode("utf-8", "ignore")
    if cut:
        properties[CUT_PROPERTIES] = cut
    event["properties"] = properties
    return event


def flatten(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Nested customData as flat properties (`a.b.c`); values that do not fit a property are named as cut."""
    properties: dict[str, Any] = {}
    cut: list[str] = []

    def walk(value: Any, key: str) -> None:
        if len(properties) >= MAX_PROPERTIES or len(key) > 128:
            cut.append(key[:128])
        elif isinstance(value, dict) and value:
            for name, inner in value.items():
                walk(inner, f"{key}.{name}" if key else str(name))
        elif isinstance(value, str) and len(value.encode()) > MAX_PROPERTY_BYTES:
            properties[key] = value.encode()[:MAX_PROPERTY_BYTES].decode("utf-8", "ignore")
            cut.append(key)
        elif value is None or isinstance(value, bool | int | float | str) or _scalar_list(value):
            properties[key] = value
        else:
            cut.append(key)

    for name, value in data.items():
        if name:
            walk(value, str(name))
    return properties, cut[:20]


def _scalar_list(value: Any) -> bool:
    """Whether `value` is a list of scalars that each fit a property."""
    return isinstance(value, list) and all(
        item is None or (isinstance(item, bool | int | float | str) and len(str(item).encode()) <= MAX_PROPERTY_BYTES)
        for item in value)


def context_page(context: dict[str, Any]) -> dict[str, str]:
    """The top frame's page from the event's context (a pixel sees no top-frame location of its own)."""
    document = obj_or_empty(context.get("document"), "event.context.document")
    location = obj_or_empty(document.get("location"), "event.context.document.location")
    url = text(location.get("href"), "event.context.document.location.href")
    if not is_web_address(url):  # about:blank, a sandbox's own address: no page rather than a refused event
        return {}
    return compact({"url": url, "title": short(document.get("title"), "event.context.document.title", 1024),
                    "referrer": short(document.get("referrer"), "event.context.document.referrer", 8192)})


def context_locale(context: dict[str, Any]) -> str | None:
    """The browser's language (navigator.language), when it is a language tag."""
    navigator = obj_or_empty(context.get("navigator"), "event.context.navigator")
    found = short(navigator.get("language"), "event.context.navigator.language", MAX_TEXT)
    return found if found and len(found) <= 35 and _LANGUAGE_TAG.fullmatch(found) else None


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
