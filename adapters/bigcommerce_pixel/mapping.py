"""BigCommerce BODL events → canonical events (the table is in this folder's README.md).

Fields as BigCommerce documents them (dev-docs `bodl-for-storefronts.mdx`) and as its checkout emits them
(checkout-sdk-js `bodl-window.ts`); the two disagree on some types (`channel_id` integer or string, `product_id`
string or number), so both are read. Amounts are numbers in major units.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.base import Event, PayloadInvalid
from adapters.fields import (
    commerce_of,
    compact,
    ident,
    items_of,
    major,
    obj,
    opt_amount,
    opt_currency,
    opt_ident,
    opt_money,
    present_properties,
    quantity,
    read_lines,
    short,
)

Mapper = Callable[[dict[str, Any]], Event]


def _line_item(line: Any) -> dict[str, Any]:
    """A BODL line_item: a product (or a gift certificate) with its price and quantity."""
    line = obj(line, "")
    product_id = line.get("product_id")
    item_id = opt_ident(product_id if product_id not in (None, "") else line.get("gift_certificate_id"), "product_id")
    if item_id is None:
        raise PayloadInvalid("product_id", product_id, "the product's id (or a gift certificate's)")
    price = next((found for found in (opt_money(line.get(key), key) for key in
                                      ("purchase_price", "sale_price", "base_price")) if found is not None), None)
    categories = items_of(line.get("category_names"), "category_names")
    variant_id = opt_ident(line.get("variant_id"), "variant_id")
    properties = compact({"variantId": variant_id, "discount": opt_money(line.get("discount"), "discount")})
    return compact({
        "id": item_id,
        "name": short(line.get("product_name"), "product_name") or short(line.get("gift_certificate_name"),
                                                                         "gift_certificate_name"),
        "price": price,
        "quantity": quantity(line.get("quantity", 1), "quantity"),
        "brand": short(line.get("brand_name"), "brand_name"),
        "category": short(categories[0], "category_names[0]") if categories else None,
        "sku": short(line.get("sku"), "sku"),
        "properties": properties or None,
    })


def _commerce(data: dict[str, Any], value_field: str | None, **ids: str | None) -> dict[str, Any]:
    """The event's currency (else its first line's), value, ids and lines."""
    items = read_lines(data.get("line_items"), "line_items", _line_item)
    lines = items_of(data.get("line_items"), "line_items")
    first = lines[0] if lines and isinstance(lines[0], dict) else {}
    money_currency = opt_currency(data.get("currency"), "currency") or opt_currency(first.get("currency"),
                                                                                    "line_items[0].currency")
    amount = opt_amount(data.get(value_field), value_field) if value_field else None
    return commerce_of(major(amount) if amount is not None else None, money_currency, items, **ids)


def _coupons(data: dict[str, Any]) -> dict[str, Any]:
    codes = [short(code, f"coupon_codes[{index}]") for index, code in
             enumerate(items_of(data.get("coupon_codes"), "coupon_codes"))]
    found = [code for code in codes if code]
    return {"couponCodes": found} if found else {}


def _with(event: Event, properties: dict[str, Any]) -> Event:
    if properties:
        event["properties"] = {**event.get("properties", {}), **properties}
    return event


def page_view(data: dict[str, Any]) -> Event:
    """The snippet's own page view (BODL has none)."""
    return {"name": "PageView"}


def keyword_search(data: dict[str, Any]) -> Event:
    """bodl_v1_keyword_search: the keywords."""
    keyword = data.get("search_keyword")
    if not isinstance(keyword, str):
        raise PayloadInvalid("search_keyword", keyword, "the search keywords: a string")
    return {"name": "Search", "properties": {"searchTerm": keyword.encode()[:512].decode("utf-8", "ignore")}}


def view_banner(data: dict[str, Any]) -> Event:
    """bodl_v1_view_banner: a storefront banner seen (no standard name: the custom BannerView)."""
    return _with({"name": "BannerView"}, present_properties(
        bannerId=opt_ident(data.get("banner_id"), "banner_id"), bannerName=short(data.get("banner_name"),
                                                                                 "banner_name")))


def category_viewed(data: dict[str, Any]) -> Event:
    """bodl_v1_product_category_viewed: the category's products."""
    return _with({"name": "ProductListView", "commerce": _commerce(data, None)}, present_properties(
        listId=opt_ident(data.get("category_id"), "category_id"),
        listName=short(data.get("category_name"), "category_name")))


def _simple(name: str, value_field: str) -> Mapper:
    """An event of a product or the cart: its lines and value."""
    def mapper(data: dict[str, Any]) -> Event:
        return {"name": name, "commerce": _commerce(data, value_field)}
    mapper.__doc__ = f"{name}: the lines and {value_field}."
    return mapper


def _checkout_step(name: str, extra: dict[str, str]) -> Mapper:
    """A checkout step: the cart's lines, value and coupons, and the step's own fields (`extra`: BODL → property)."""
    def mapper(data: dict[str, Any]) -> Event:
        properties = {**_coupons(data), **present_properties(**{
            target: short(data.get(field), field) for field, target in extra.items()})}
        return _with({"name": name, "commerce": _commerce(data, "cart_value")}, properties)
    mapper.__doc__ = f"{name}: a checkout step."
    return mapper


def order_purchased(data: dict[str, Any]) -> Event:
    """bodl_v1_order_purchased: the order (its id an integer), its value, tax and shipping."""
    order_id = data.get("order_id")
    if order_id in (None, ""):
        raise PayloadInvalid("order_id", order_id, "the order's id (BODL sends it with bodl_v1_order_purchased)")
    commerce = _commerce(data, "cart_value", orderId=ident(order_id, "order_id"))
    if "value" not in commerce:
        raise PayloadInvalid("cart_value", data.get("cart_value"), "the order's value and its currency")
    return _with({"name": "Purchase", "commerce": commerce}, {**_coupons(data), **compact({
        "tax": opt_money(data.get("tax"), "tax"), "shipping": opt_money(data.get("shipping_cost"), "shipping_cost")})})


EVENTS: dict[str, Mapper] = {
    "page_view": page_view,
    "bodl_v1_keyword_search": keyword_search,
    "bodl_v1_view_banner": view_banner,
    "bodl_v1_product_category_viewed": category_viewed,
    "bodl_v1_product_page_viewed": _simple("ProductView", "product_value"),
    "bodl_v1_cart_product_added": _simple("AddToCart", "product_value"),
    "bodl_v1_cart_viewed": _simple("CartView", "cart_value"),
    "bodl_v1_cart_product_removed": _simple("RemoveFromCart", "product_value"),
    "bodl_v1_begin_checkout": _checkout_step("CheckoutBegin", {}),
    "bodl_v1_shipping_information_added": _checkout_step("AddShippingInfo", {"shipping_method": "shippingTier"}),
    "bodl_v1_payment_information_added": _checkout_step("AddPaymentInfo", {"payment_type": "paymentType"}),
    "bodl_v1_order_purchased": order_purchased,
}
"""The snippet's page view and BODL's 11 events; any other name is refused (the snippet sends no other)."""
