"""Webflow trigger types → canonical events.

The body is `{"triggerType": ..., "payload": {...}}`; ecommerce payloads are Webflow's Order
object (money in minor units), form payloads a form submission. Webflow sends no delivery id:
event ids come from the order id (and its status) or the form submission id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from adapters.base import Event, PayloadInvalid, derive_event_id
from adapters.fields import items_of, obj, obj_or_empty, opt_rfc3339_time, quantity, required_text, text
from adapters.webflow.money import currency_code, to_major_units

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{2,38}")
_PHONE_LABEL = re.compile(r"phone|mobile|\btel\b")


def parse_body(body: Any, site: str | None) -> list[Event]:
    """The events of one Webflow webhook body; [] for trigger types that are not customer actions."""
    envelope = obj(body, "body")
    trigger = envelope.get("triggerType")
    if not isinstance(trigger, str) or not trigger:
        raise PayloadInvalid("triggerType", trigger, "a Webflow trigger type such as ecomm_new_order")
    handler = HANDLERS.get(trigger)
    if handler is None:
        return []
    return handler(obj(envelope.get("payload"), "payload"), trigger, site)


def new_order(order: dict[str, Any], trigger: str, site: str | None) -> list[Event]:
    """ecomm_new_order: a Purchase."""
    commerce = order_commerce(order)
    event = _event(derive_event_id("webflow", trigger, commerce["orderId"]), "Purchase",
                   opt_rfc3339_time(order.get("acceptedOn"), "payload.acceptedOn"), trigger, site)
    return [_with_customer({**event, "commerce": commerce}, order)]


def changed_order(order: dict[str, Any], trigger: str, site: str | None) -> list[Event]:
    """ecomm_order_changed: a Refund when the order's status is now `refunded`, nothing otherwise."""
    if order.get("status") != "refunded":
        return []  # fulfilment, disputes, comments: changes made by the shop, not customer actions
    commerce = order_commerce(order)
    event = _event(derive_event_id("webflow", trigger, commerce["orderId"], "refunded"), "Refund",
                   opt_rfc3339_time(order.get("refundedOn"), "payload.refundedOn"), trigger, site)
    return [_with_customer({**event, "commerce": commerce}, order)]


def form_submission(form: dict[str, Any], trigger: str, site: str | None) -> list[Event]:
    """form_submission: a Lead, with the e-mail address and phone number the visitor typed in."""
    submission = required_text(form.get("id"), "payload.id")
    shop = text(form.get("siteId"), "payload.siteId") or site
    event = _event(derive_event_id("webflow", trigger, submission), "Lead",
                   opt_rfc3339_time(form.get("submittedAt"), "payload.submittedAt"), trigger, shop)
    event["source"]["deliveryId"] = submission
    properties = {key: value for key, value in (
        ("formName", text(form.get("name"), "payload.name")),
        ("formId", text(form.get("formId"), "payload.formId")),
    ) if value is not None}
    if properties:
        event["properties"] = properties
    user = _form_contact(obj_or_empty(form.get("data"), "payload.data"))
    if user:
        event["user"] = user
    return [event]


def order_commerce(order: dict[str, Any]) -> dict[str, Any]:
    """Order id, currency, total in major units and the purchased items."""
    order_id = required_text(order.get("orderId"), "payload.orderId")
    total = obj(obj(order.get("totals"), "payload.totals").get("total"), "payload.totals.total")
    currency = currency_code(total.get("unit"), "payload.totals.total.unit")
    items = items_of(order.get("purchasedItems"), "payload.purchasedItems", "a list of purchased items")
    return {
        "orderId": order_id,
        "currency": currency,
        "value": to_major_units(total.get("value"), currency, "payload.totals.total.value"),
        "items": [_item(item, f"payload.purchasedItems[{index}]", currency) for index, item in enumerate(items)],
    }


def _item(raw: Any, path: str, currency: str) -> dict[str, Any]:
    entry = obj(raw, path)
    item: dict[str, Any] = {
        "id": required_text(entry.get("productId"), f"{path}.productId"),
        "quantity": quantity(entry.get("count"), f"{path}.count"),
    }
    name = text(entry.get("productName"), f"{path}.productName")
    if name is not None:
        item["name"] = name
    price = obj_or_empty(entry.get("variantPrice"), f"{path}.variantPrice")
    if price:
        unit = currency if price.get("unit") is None else currency_code(price["unit"], f"{path}.variantPrice.unit")
        item["price"] = to_major_units(price.get("value"), unit, f"{path}.variantPrice.value")
    variant = text(entry.get("variantName"), f"{path}.variantName")
    if variant is not None:
        item["variant"] = variant
    # The SDK's wire fixture spells it variantSKU, its types variantSku: accept both.
    sku_key = "variantSKU" if "variantSKU" in entry else "variantSku"
    sku = text(entry.get(sku_key), f"{path}.{sku_key}")
    if sku is not None:
        item["sku"] = sku
    return item


def _with_customer(event: Event, order: dict[str, Any]) -> Event:
    """The customer's e-mail (Webflow orders carry no customer id of the shop's own)."""
    info = obj_or_empty(order.get("customerInfo"), "payload.customerInfo")
    email = text(info.get("email"), "payload.customerInfo.email")
    if email is None:
        return event
    user: dict[str, Any] = {"email": email}
    name = text(info.get("fullName"), "payload.customerInfo.fullName")
    if name is not None:
        user["traits"] = {"name": name}
    return {**event, "user": user}


def _form_contact(data: dict[str, Any]) -> dict[str, str]:
    """The first e-mail-like and phone-like fields of a form (field names are the site's own)."""
    user: dict[str, str] = {}
    for field, value in data.items():
        label = field.lower()
        written = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if "email" not in user and "mail" in label and _EMAIL.fullmatch(written) and len(written) <= 320:
            user["email"] = written
        elif "phone" not in user and _PHONE_LABEL.search(label) and _PHONE.fullmatch(written):
            user["phone"] = written
    return user


def _event(event_id: str, name: str, occurred_at: str | None, topic: str, shop: str | None) -> Event:
    source: dict[str, Any] = {"topic": topic}
    if shop is not None:
        source["shop"] = shop
    event: Event = {"id": event_id, "name": name, "source": source}
    if occurred_at is not None:
        event["occurredAt"] = occurred_at
    return event


HANDLERS: dict[str, Callable[[dict[str, Any], str, str | None], list[Event]]] = {
    "ecomm_new_order": new_order,
    "ecomm_order_changed": changed_order,
    "form_submission": form_submission,
}
