"""Wix event types → canonical events (the table is in README.md).

Orders, checkouts and carts are Wix eCommerce (`wix.ecom.v1.*`, also what Wix Stores sends since
the Stores events were retired); sign-ups are Wix Members, leads are Wix Contacts. Every other
event type — app lifecycle (`AppInstalled`, ...), products, `cart_updated` — is acknowledged
with no event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.base import Event, PayloadInvalid, derive_event_id
from adapters.fields import (
    compact,
    currency,
    items_of,
    obj,
    obj_or_empty,
    opt_rfc3339_time,
    quantity,
    read_lines,
    required_text,
    text,
)
from adapters.wix.envelope import EVENT, Envelope
from adapters.wix.payload import embedded, price

Mapper = Callable[[Envelope], list[Event]]
# Wix fills variantId with zeros when a product has no variants.
NO_VARIANT = "00000000-0000-0000-0000-000000000000"
REFUNDED = frozenset({"FULLY_REFUNDED", "PARTIALLY_REFUNDED"})


def events_for(envelope: Envelope) -> list[Event]:
    """The canonical events of one webhook; [] for event types that are not customer actions."""
    mapper = TOPICS.get(envelope.event_type)
    return mapper(envelope) if mapper else []


def order_approved(envelope: Envelope) -> list[Event]:
    """An order was placed and approved: Purchase."""
    event = envelope.event()
    order, path = _action_order(_action_body(event))
    return [_order_event(envelope, event, "Purchase", order, path)]


def order_canceled(envelope: Envelope) -> list[Event]:
    """An order was canceled: OrderCancelled."""
    event = envelope.event()
    order, path = _action_order(_action_body(event))
    return [_order_event(envelope, event, "OrderCancelled", order, path)]


def order_payment_status_updated(envelope: Envelope) -> list[Event]:
    """Paid → OrderPaid, refunded → Refund (its value: the amount refunded so far); other states → none."""
    event = envelope.event()
    body = _action_body(event)
    order, path = _action_order(body)
    status = text(order.get("paymentStatus"), f"{path}.paymentStatus")
    if status != "PAID" and status not in REFUNDED:
        return []
    result = _order_event(envelope, event, "OrderPaid" if status == "PAID" else "Refund", order, path)
    previous = text(body.get("previousPaymentStatus"), f"{EVENT}.actionEvent.body.previousPaymentStatus")
    result["properties"] = {**result.get("properties", {}), **compact({"previousPaymentStatus": previous})}
    if status in REFUNDED:
        balance = obj_or_empty(order.get("balanceSummary"), f"{path}.balanceSummary")
        refunded = price(balance.get("refunded"), f"{path}.balanceSummary.refunded")
        result["commerce"] = compact({**result["commerce"], "value": refunded})
    return [result]


def checkout_created(envelope: Envelope) -> list[Event]:
    """A checkout was started: CheckoutBegin."""
    event = envelope.event()
    checkout, path = _created_entity(event)
    buyer = obj_or_empty(checkout.get("buyerInfo"), f"{path}.buyerInfo")
    summary = obj_or_empty(checkout.get("priceSummary"), f"{path}.priceSummary")
    result = _base(envelope, event, "CheckoutBegin")
    user = _user(envelope, buyer, f"{path}.buyerInfo")
    commerce = compact({
        "currency": currency(checkout.get("currency"), f"{path}.currency"),
        "value": price(summary.get("total"), f"{path}.priceSummary.total"),
        "cartId": text(checkout.get("cartId"), f"{path}.cartId"),
        "items": _items(checkout, path),
    })
    properties = compact({"checkoutId": text(checkout.get("id"), f"{path}.id"),
                          "contactId": text(buyer.get("contactId"), f"{path}.buyerInfo.contactId")})
    return [_assemble(result, user, commerce, properties)]


def cart_created(envelope: Envelope) -> list[Event]:
    """A cart was created with its first items: AddToCart (an empty cart adds nothing)."""
    event = envelope.event()
    cart, path = _created_entity(event)
    items = _items(cart, path)
    if not items:
        return []
    buyer = obj_or_empty(cart.get("buyerInfo"), f"{path}.buyerInfo")
    result = _base(envelope, event, "AddToCart")
    user = _user(envelope, buyer, f"{path}.buyerInfo")
    commerce = compact({
        "currency": currency(cart.get("currency"), f"{path}.currency"),
        "value": price(cart.get("subtotal"), f"{path}.subtotal"),
        "cartId": text(cart.get("id"), f"{path}.id"),
        "items": items,
    })
    properties = compact({"contactId": text(buyer.get("contactId"), f"{path}.buyerInfo.contactId")})
    return [_assemble(result, user, commerce, properties)]


def member_created(envelope: Envelope) -> list[Event]:
    """A site member signed up (or was added): SignUp."""
    event = envelope.event()
    member, path = _created_entity(event)
    contact = obj_or_empty(member.get("contact"), f"{path}.contact")
    phones = items_of(contact.get("phones"), f"{path}.contact.phones")
    user = compact({
        "memberId": required_text(member.get("id"), f"{path}.id"),
        "email": text(member.get("loginEmail"), f"{path}.loginEmail"),
        "phone": _first_text(phones),
    })
    properties = compact({"contactId": text(member.get("contactId"), f"{path}.contactId"),
                          "memberStatus": text(member.get("status"), f"{path}.status")})
    return [_assemble(_base(envelope, event, "SignUp"), user, None, properties)]


def contact_created(envelope: Envelope) -> list[Event]:
    """A contact was captured (a form, a subscription, a checkout, an import): Lead."""
    event = envelope.event()
    contact, path = _created_entity(event)
    primary = obj_or_empty(contact.get("primaryInfo"), f"{path}.primaryInfo")
    info = obj_or_empty(contact.get("info"), f"{path}.info")
    user = compact({
        "email": text(primary.get("email"), f"{path}.primaryInfo.email")
        or _first_of(info, "emails", "email", f"{path}.info"),
        "phone": text(primary.get("phone"), f"{path}.primaryInfo.phone")
        or _first_of(info, "phones", "phone", f"{path}.info"),
    })
    source = obj_or_empty(contact.get("source"), f"{path}.source")
    properties = compact({"contactId": required_text(contact.get("id"), f"{path}.id"),
                          "contactSource": text(source.get("sourceType"), f"{path}.source.sourceType")})
    return [_assemble(_base(envelope, event, "Lead"), user or None, None, properties)]


TOPICS: dict[str, Mapper] = {
    "wix.ecom.v1.order_approved": order_approved,
    "wix.ecom.v1.order_payment_status_updated": order_payment_status_updated,
    "wix.ecom.v1.order_canceled": order_canceled,
    "wix.ecom.v1.checkout_created": checkout_created,
    "wix.ecom.v1.cart_created": cart_created,
    "wix.members.v1.member_created": member_created,
    "wix.contacts.v4.contact_created": contact_created,
}


def _base(envelope: Envelope, event: dict[str, Any], name: str) -> Event:
    """Id, name, time and source of an event; the id derives from the Wix event id (a redelivery repeats it)."""
    event_id = required_text(event.get("id"), f"{EVENT}.id")
    return compact({
        "id": derive_event_id("wix", envelope.instance_id or "", event_id, name),
        "name": name,
        "occurredAt": opt_rfc3339_time(event.get("eventTime"), f"{EVENT}.eventTime"),
        "source": compact({"topic": envelope.event_type, "deliveryId": event_id, "shop": envelope.instance_id}),
    })


def _assemble(event: Event, user: dict[str, Any] | None, commerce: dict[str, Any] | None,
              properties: dict[str, Any]) -> Event:
    """The event with the parts that have something in them."""
    return compact({**event, "user": user or None, "commerce": commerce, "properties": properties or None})


def _order_event(envelope: Envelope, event: dict[str, Any], name: str, order: dict[str, Any], path: str) -> Event:
    """An order as a commerce event: who bought, what, for how much."""
    buyer = obj_or_empty(order.get("buyerInfo"), f"{path}.buyerInfo")
    billing_info = obj_or_empty(order.get("billingInfo"), f"{path}.billingInfo")
    billing = obj_or_empty(billing_info.get("contactDetails"), f"{path}.billingInfo.contactDetails")
    summary = obj_or_empty(order.get("priceSummary"), f"{path}.priceSummary")
    user = _user(envelope, buyer, f"{path}.buyerInfo",
                 phone=text(billing.get("phone"), f"{path}.billingInfo.contactDetails.phone"))
    commerce = compact({
        "orderId": required_text(order.get("id"), f"{path}.id"),
        "currency": currency(order.get("currency"), f"{path}.currency"),
        "value": price(summary.get("total"), f"{path}.priceSummary.total"),
        "items": _items(order, path),
    })
    properties = compact({
        "orderNumber": text(order.get("number"), f"{path}.number"),
        "paymentStatus": text(order.get("paymentStatus"), f"{path}.paymentStatus"),
        "checkoutId": text(order.get("checkoutId"), f"{path}.checkoutId"),
        "contactId": text(buyer.get("contactId"), f"{path}.buyerInfo.contactId"),
    })
    return _assemble(_base(envelope, event, name), user, commerce, properties)


def _user(envelope: Envelope, buyer: dict[str, Any], path: str, phone: str | None = None) -> dict[str, Any] | None:
    """The buyer's identifiers; the webhook's `identity` fills in a member or visitor id the entity lacks."""
    identity = envelope.identity()
    kind = identity.get("identityType")
    user = compact({
        "memberId": text(buyer.get("memberId"), f"{path}.memberId")
        or (text(identity.get("memberId"), "data.identity.memberId") if kind == "MEMBER" else None),
        "anonymousId": text(buyer.get("visitorId"), f"{path}.visitorId")
        or (text(identity.get("anonymousVisitorId"), "data.identity.anonymousVisitorId")
            if kind == "ANONYMOUS_VISITOR" else None),
        "email": text(buyer.get("email"), f"{path}.email"),
        "phone": phone,
    })
    return user or None


def _items(parent: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """Line items (the canonical event's first 200)."""
    return read_lines(parent.get("lineItems"), f"{path}.lineItems", _item)


def _item(raw: Any) -> dict[str, Any]:
    """A line: the catalog item id as the id (the product), with name, unit price, quantity, variant, SKU.

    Fields are named within the line; `read_lines` names the line.
    """
    line = obj(raw, "")
    reference = obj_or_empty(line.get("catalogReference"), "catalogReference")
    options = obj_or_empty(reference.get("options"), "catalogReference.options")
    name = obj_or_empty(line.get("productName"), "productName")
    physical = obj_or_empty(line.get("physicalProperties"), "physicalProperties")
    variant = text(options.get("variantId"), "catalogReference.options.variantId")
    return compact({
        "id": text(reference.get("catalogItemId"), "catalogReference.catalogItemId")
        or required_text(line.get("id"), "id"),
        "name": text(name.get("original"), "productName.original"),
        "price": price(line.get("price"), "price"),
        "quantity": quantity(line.get("quantity"), "quantity"),
        "variant": None if variant == NO_VARIANT else variant,
        "sku": text(physical.get("sku"), "physicalProperties.sku"),
    })


def _action_body(event: dict[str, Any]) -> dict[str, Any]:
    """`actionEvent.body` (or `bodyAsJson`, a JSON string)."""
    action = obj(event.get("actionEvent"), f"{EVENT}.actionEvent")
    return _member(action, "body", "bodyAsJson", f"{EVENT}.actionEvent")


def _action_order(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The order of an order event's body."""
    path = f"{EVENT}.actionEvent.body.order"
    return obj(body.get("order"), path), path


def _created_entity(event: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`createdEvent.entity` (or `entityAsJson`, a JSON string)."""
    created = obj(event.get("createdEvent"), f"{EVENT}.createdEvent")
    return _member(created, "entity", "entityAsJson", f"{EVENT}.createdEvent"), f"{EVENT}.createdEvent.entity"


def _member(parent: dict[str, Any], key: str, json_key: str, path: str) -> dict[str, Any]:
    """An object that Wix's docs show as `key` and its proto as `json_key` (a JSON string)."""
    value = embedded(parent.get(key), f"{path}.{key}") or embedded(parent.get(json_key), f"{path}.{json_key}")
    if value is None:
        raise PayloadInvalid(f"{path}.{key}", None, "a JSON object")
    return value


def _first_text(values: list[Any]) -> str | None:
    """The first non-empty string of a list."""
    return next((v for v in values if isinstance(v, str) and v), None)


def _first_of(info: dict[str, Any], group: str, key: str, path: str) -> str | None:
    """From `info.<group>.items[]`, the primary item's `key`, else the first one's."""
    items = items_of(obj_or_empty(info.get(group), f"{path}.{group}").get("items"), f"{path}.{group}.items")
    entries = [entry for entry in items if isinstance(entry, dict) and isinstance(entry.get(key), str)]
    entries.sort(key=lambda entry: not entry.get("primary"))
    return entries[0][key] if entries else None
