"""Wix client events (`wixDevelopersAnalytics`) → canonical events (the table is in this folder's README.md).

Parameters as Wix's client-events reference documents them (wix-incubator/wix-client-docs, events/guides):
ids are GUID strings, prices numbers (a Purchase's `revenue` is documented as text), `contents` the lines.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from adapters.base import Event, PayloadInvalid
from adapters.fields import (
    MAX_ID,
    commerce_of,
    compact,
    ident,
    items_of,
    major,
    obj,
    opt_amount,
    opt_currency,
    opt_money,
    present_properties,
    quantity,
    read_lines,
    short,
)
from adapters.pixel_envelope import custom_name

Mapper = Callable[[dict[str, Any]], "Event | None"]
NOISE = frozenset({"isPremium", "userId", "metaSiteId", "visitorId", "_internalEventId"})
"""Parameters Wix adds to every event: not properties of what the visitor did (userId is not the visitor's)."""


def _item(line: Any, default_quantity: int = 1) -> dict[str, Any]:
    """A product as Wix writes it (an event's own fields, or a line of `contents`)."""
    line = obj(line, "")
    product_id = line.get("id") if line.get("id") not in (None, "") else line.get("productId")
    if product_id in (None, ""):
        raise PayloadInvalid("id", product_id, "the product's id (a GUID)")
    return compact({
        "id": ident(product_id, "id"),
        "name": short(line.get("name"), "name"),
        "price": opt_money(line.get("price"), "price"),
        "quantity": quantity(line.get("quantity", default_quantity), "quantity"),
        "variant": short(line.get("variant"), "variant"),
        "brand": short(line.get("brand"), "brand"),
        "category": short(line.get("category"), "category"),
        "sku": short(line.get("sku"), "sku"),
    })


def _contents(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of `contents` as items."""
    return read_lines(params.get("contents"), "contents", _item)


def _currency(params: dict[str, Any]) -> str | None:
    """The event's currency, else its first line's (AddProductImpression and AddPaymentInfo name it per line)."""
    found = opt_currency(params.get("currency"), "currency")
    if found:
        return found
    lines = items_of(params.get("contents"), "contents")
    first = lines[0] if lines and isinstance(lines[0], dict) else {}
    return opt_currency(first.get("currency"), "contents[0].currency")


def _commerce(params: dict[str, Any], items: list[dict[str, Any]], value_field: str | None = None,
              value: Decimal | None = None, **ids: str | None) -> dict[str, Any]:
    """A canonical commerce object: the value (read from `value_field`, or given) only with its currency."""
    money_currency = _currency(params)
    amount = value if isinstance(value, Decimal) else opt_amount(params.get(value_field) if value_field else None,
                                                                 value_field or "price")
    return commerce_of(major(amount) if amount is not None else None, money_currency, items, **ids)


def page_view(params: dict[str, Any]) -> Event:
    """PageView: Wix gives the page's id, number, path and title, not its URL (the snippet adds it)."""
    properties = present_properties(pageId=short(params.get("pageId"), "pageId"),
                                    pagePath=short(params.get("pagePath"), "pagePath"))
    event: Event = {"name": "PageView"}
    if properties:
        event["properties"] = properties
    title = short(params.get("pageTitle"), "pageTitle", 1024)
    if title:
        event["page"] = {"title": title}
    return event


def view_content(params: dict[str, Any]) -> Event:
    """ViewContent of a product (Stores); without a product id, the custom ViewContent."""
    if params.get("id") in (None, ""):
        return custom(params, "ViewContent")
    item = _item(params)
    return {"name": "ProductView", "commerce": _commerce(params, [item], "price")}


def product_impressions(params: dict[str, Any]) -> Event:
    """AddProductImpression: the products of a gallery or list."""
    items = _contents(params)
    lines = items_of(params.get("contents"), "contents")
    first = lines[0] if lines and isinstance(lines[0], dict) else {}
    event: Event = {"name": "ProductListView", "commerce": _commerce(params, items)}
    list_name = short(first.get("list"), "contents[0].list")
    if list_name:
        event["properties"] = {"listName": list_name}
    return event


def _cart_change(name: str) -> Mapper:
    """AddToCart / RemoveFromCart: one product and its quantity; the value is price × quantity."""
    def mapper(params: dict[str, Any]) -> Event:
        item = _item(params)
        price = opt_amount(params.get("price"), "price")
        count = Decimal(str(quantity(params.get("quantity", 1), "quantity")))
        value = price * count if price is not None else None
        return {"name": name, "commerce": _commerce(params, [item], value=value)}
    mapper.__doc__ = f"{name}: one product and its quantity."
    return mapper


def initiate_checkout(params: dict[str, Any]) -> Event:
    """InitiateCheckout: the cart's lines; `price` is the total (older payloads have no total)."""
    event: Event = {"name": "CheckoutBegin", "commerce": _commerce(params, _contents(params), "price")}
    checkout_id = short(params.get("checkoutId"), "checkoutId")
    if checkout_id:
        event["properties"] = {"checkoutId": checkout_id}
    return event


def add_payment_info(params: dict[str, Any]) -> Event:
    """AddPaymentInfo: the cart's lines and the payment option."""
    event: Event = {"name": "AddPaymentInfo", "commerce": _commerce(params, _contents(params))}
    option = short(params.get("option"), "option")
    if option:
        event["properties"] = {"paymentType": option}
    return event


def purchase(params: dict[str, Any]) -> Event:
    """Purchase (the Thank You page): the order's id, revenue and lines."""
    order_id = params.get("orderId")
    if order_id in (None, ""):
        raise PayloadInvalid("orderId", order_id, "the order's id (Wix sends it with Purchase)")
    commerce = _commerce(params, _contents(params), "revenue", orderId=ident(order_id, "orderId"))
    if "value" not in commerce:
        raise PayloadInvalid("revenue" if "currency" in commerce else "currency",
                             params.get("revenue") if "currency" in commerce else params.get("currency"),
                             "the order's total (revenue) and its currency")
    event: Event = {"name": "Purchase", "commerce": commerce}
    properties = present_properties(tax=opt_money(params.get("tax"), "tax"),
                                    shipping=opt_money(params.get("shipping"), "shipping"),
                                    coupon=short(params.get("coupon"), "coupon"))
    if properties:
        event["properties"] = properties
    return event


def lead(params: dict[str, Any]) -> Event:
    """Lead: a form was submitted; its label."""
    event: Event = {"name": "Lead"}
    label = short(params.get("label"), "label")
    if label:
        event["properties"] = {"formLabel": label}
    return event


def complete_registration(params: dict[str, Any]) -> Event:
    """CompleteRegistration: a sign-up."""
    return {"name": "SignUp", "properties": _flat(params)} if _flat(params) else {"name": "SignUp"}


# CustomEvent's eventAction (wix-client-docs WIX-MEMBERS-EVENTS and Stores' checkout steps) → canonical names.
CUSTOM_ACTIONS = {"sign up success": "SignUp", "log in success": "Login",
                  "add shipping details": "AddShippingInfo", "add delivery method": "AddShippingInfo"}


def custom_event(params: dict[str, Any]) -> Event:
    """CustomEvent: members' sign-up and log-in, Stores' shipping step, or a custom event named by its action."""
    action = short(params.get("eventAction"), "eventAction")
    name = CUSTOM_ACTIONS.get((action or "").lower())
    properties = present_properties(eventCategory=short(params.get("eventCategory"), "eventCategory"),
                                    eventAction=action, eventLabel=short(params.get("eventLabel"), "eventLabel"))
    if name == "AddShippingInfo":
        return {"name": name, "commerce": _commerce(params, _contents(params)), "properties": properties}
    event: Event = {"name": name or custom_name(action or "CustomEvent")}
    if properties:
        event["properties"] = properties
    return event


def custom(params: dict[str, Any], name: str) -> Event:
    """Any other Wix event: passes through under its own name, its flat parameters as properties."""
    event: Event = {"name": custom_name(name)}
    properties = {**_flat(params), "wixEventName": name[:512]}
    event["properties"] = properties
    return event


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters that are scalars, without Wix's own on every event."""
    scalars = {key[:128]: value for key, value in params.items()
               if key and key not in NOISE and isinstance(value, bool | int | float | str)}
    return present_properties(**scalars)


STANDARD: dict[str, Mapper] = {
    "PageView": page_view,
    "ViewContent": view_content,
    "AddProductImpression": product_impressions,
    "AddToCart": _cart_change("AddToCart"),
    "RemoveFromCart": _cart_change("RemoveFromCart"),
    "InitiateCheckout": initiate_checkout,
    "AddPaymentInfo": add_payment_info,
    "Purchase": purchase,
    "Lead": lead,
    "CompleteRegistration": complete_registration,
    "CustomEvent": custom_event,
}
IGNORED = frozenset({"productPageLoaded"})
"""Wix sends it with ViewContent for the same product view: recording both would count the view twice."""


def map_event(name: str, params: dict[str, Any]) -> Event | None:
    """The canonical event of one Wix event; None for one not recorded."""
    if name in IGNORED:
        return None
    mapper = STANDARD.get(name)
    return mapper(params) if mapper else custom(params, name)


def visitor_id(params: dict[str, Any]) -> str | None:
    """Wix's visitor id (Stores events carry it)."""
    found = params.get("visitorId")
    return ident(found, "visitorId") if isinstance(found, str) and 0 < len(found) <= MAX_ID else None
