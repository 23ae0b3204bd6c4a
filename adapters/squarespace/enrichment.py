"""Completing Squarespace events from the Orders API (GET /1.0/commerce/orders/{id}).

The response shape is the Order of developers.squarespace.com/commerce-apis/retrieve-specific-order.
One call gives everything: totals, line items and the customer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.base import ApiRequest, ApiResponse, Event, PayloadInvalid, Source
from adapters.fields import email, items_of, major, obj, phone, quantity, read_lines, short
from adapters.squarespace.payload import money, opt_ident

API = "https://api.squarespace.com/1.0/commerce/orders/"
# Squarespace refuses API requests without a User-Agent and limits generic ones harder.
USER_AGENT = "tagway-gateway (order enrichment)"


def order_to_fetch(event: Event) -> str | None:
    """The id of the order the event still lacks (no currency yet), or None."""
    commerce = event.get("commerce")
    if isinstance(commerce, dict) and isinstance(commerce.get("orderId"), str) and "currency" not in commerce:
        return str(commerce["orderId"])
    return None


def enrichment_request(event: Event, source: Source) -> ApiRequest | None:
    """GET the order, when the source has an API key."""
    api_key = source.settings.get("api_key")
    order_id = order_to_fetch(event)
    if not (api_key and order_id):
        return None
    return ApiRequest(url=API + quote(order_id, safe=""),
                      headers={"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT,
                               "Accept": "application/json"})


def enrich(event: Event, source: Source, response: ApiResponse) -> Event:
    """The event completed with the order; an OrderPlaced becomes a Purchase."""
    order_id = order_to_fetch(event)
    if order_id is None:
        return event
    if not 200 <= response.status < 300:
        raise PayloadInvalid("api.status", response.status,
                             f"a successful answer from GET /1.0/commerce/orders/{order_id} "
                             f"(Squarespace said: {_message(response.body)})")
    order = obj(response.body, "order")
    name = "Purchase" if event.get("name") == "OrderPlaced" else event.get("name")
    # A Refund is worth what the order has given back so far; the other events the order's total.
    total = "order.refundedTotal" if name == "Refund" else "order.grandTotal"
    value, code = money(order.get(total.removeprefix("order.")), total)
    commerce = {**event["commerce"], "currency": code, "value": major(value),
                "items": read_lines(order.get("lineItems"), "order.lineItems", _item)}
    enriched: Event = {**event, "name": name, "commerce": commerce}
    user = _user(event, order)
    if user:
        enriched["user"] = user
    if isinstance(order.get("testmode"), bool):
        properties = event.get("properties")
        enriched["properties"] = {**(properties if isinstance(properties, dict) else {}),
                                  "testMode": order["testmode"]}
    return enriched


def _item(raw: Any) -> dict[str, Any]:
    """One line item: the product (or, without one, the SKU or the line's own id); fields named within the line."""
    line = obj(raw, "")
    sku = short(line.get("sku"), "sku")
    item_id = (opt_ident(line.get("productId"), "productId") or (sku[:100] if sku else None)
               or opt_ident(line.get("id"), "id"))
    if item_id is None:
        raise PayloadInvalid("productId", line.get("productId"), "the product id, a SKU or the line's id")
    price, _ = money(line.get("unitPricePaid"), "unitPricePaid")
    item: dict[str, Any] = {"id": item_id, "quantity": quantity(line.get("quantity"), "quantity"),
                            "price": major(price)}
    options = [short(obj(option, f"variantOptions[{i}]").get("value"), f"variantOptions[{i}].value")
               for i, option in enumerate(items_of(line.get("variantOptions"), "variantOptions"))]
    variant = " / ".join(option for option in options if option)
    name = short(line.get("productName"), "productName")
    item.update({k: v for k, v in (("name", name), ("sku", sku), ("variant", variant[:512])) if v})
    return item


def _user(event: Event, order: dict[str, Any]) -> dict[str, Any]:
    """The customer: id (customerId, when the order has one), e-mail, billing phone."""
    billing = order.get("billingAddress")
    address = obj(billing, "order.billingAddress") if billing is not None else {}
    found = {"memberId": opt_ident(order.get("customerId"), "order.customerId"),
             "email": email(order.get("customerEmail"), "order.customerEmail"),
             "phone": phone(address.get("phone"), "order.billingAddress.phone")}
    given = event.get("user")
    return {**{k: v for k, v in found.items() if v}, **(given if isinstance(given, dict) else {})}


def _message(body: Any) -> str:
    """Squarespace's error text (`message`), or a note that there was none."""
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
        return body["message"][:200]
    return "no error message"
