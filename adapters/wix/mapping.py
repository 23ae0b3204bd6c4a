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
from adapters.wix.envelope import EVENT, Envelope
from adapters.wix.paths import (
    as_object,
    child,
    child_list,
    compact,
    currency,
    embedded,
    join,
    moment,
    price,
    quantity,
    text,
)

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
    status = text(order, "paymentStatus", path)
    if status != "PAID" and status not in REFUNDED:
        return []
    result = _order_event(envelope, event, "OrderPaid" if status == "PAID" else "Refund", order, path)
    previous = text(body, "previousPaymentStatus", join(EVENT, "actionEvent.body"))
    result["properties"] = {**result.get("properties", {}), **compact({"previousPaymentStatus": previous})}
    if status in REFUNDED:
        balance = child(order, "balanceSummary", path) or {}
        refunded = price(balance, "refunded", join(path, "balanceSummary"))
        result["commerce"] = compact({**result["commerce"], "value": refunded})
    return [result]


def checkout_created(envelope: Envelope) -> list[Event]:
    """A checkout was started: CheckoutBegin."""
    event = envelope.event()
    checkout, path = _created_entity(event)
    buyer = child(checkout, "buyerInfo", path) or {}
    summary = child(checkout, "priceSummary", path) or {}
    result = _base(envelope, event, "CheckoutBegin")
    user = _user(envelope, buyer, join(path, "buyerInfo"))
    commerce = compact({
        "currency": currency(checkout, "currency", path),
        "value": price(summary, "total", join(path, "priceSummary")),
        "cartId": text(checkout, "cartId", path),
        "items": _items(checkout, path),
    })
    properties = compact({"checkoutId": text(checkout, "id", path),
                          "contactId": text(buyer, "contactId", join(path, "buyerInfo"))})
    return [_assemble(result, user, commerce, properties)]


def cart_created(envelope: Envelope) -> list[Event]:
    """A cart was created with its first items: AddToCart (an empty cart adds nothing)."""
    event = envelope.event()
    cart, path = _created_entity(event)
    items = _items(cart, path)
    if not items:
        return []
    buyer = child(cart, "buyerInfo", path) or {}
    result = _base(envelope, event, "AddToCart")
    user = _user(envelope, buyer, join(path, "buyerInfo"))
    commerce = compact({
        "currency": currency(cart, "currency", path),
        "value": price(cart, "subtotal", path),
        "cartId": text(cart, "id", path),
        "items": items,
    })
    properties = compact({"contactId": text(buyer, "contactId", join(path, "buyerInfo"))})
    return [_assemble(result, user, commerce, properties)]


def member_created(envelope: Envelope) -> list[Event]:
    """A site member signed up (or was added): SignUp."""
    event = envelope.event()
    member, path = _created_entity(event)
    contact = child(member, "contact", path) or {}
    phones = child_list(contact, "phones", join(path, "contact"))
    user = compact({
        "memberId": text(member, "id", path, required=True),
        "email": text(member, "loginEmail", path),
        "phone": _first_text(phones, join(path, "contact.phones")),
    })
    properties = compact({"contactId": text(member, "contactId", path), "memberStatus": text(member, "status", path)})
    return [_assemble(_base(envelope, event, "SignUp"), user, None, properties)]


def contact_created(envelope: Envelope) -> list[Event]:
    """A contact was captured (a form, a subscription, a checkout, an import): Lead."""
    event = envelope.event()
    contact, path = _created_entity(event)
    primary = child(contact, "primaryInfo", path) or {}
    info = child(contact, "info", path) or {}
    user = compact({
        "email": text(primary, "email", join(path, "primaryInfo"))
        or _first_of(info, "emails", "email", join(path, "info")),
        "phone": text(primary, "phone", join(path, "primaryInfo"))
        or _first_of(info, "phones", "phone", join(path, "info")),
    })
    source = child(contact, "source", path) or {}
    properties = compact({"contactId": text(contact, "id", path, required=True),
                          "contactSource": text(source, "sourceType", join(path, "source"))})
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
    event_id = str(text(event, "id", EVENT, required=True))
    return compact({
        "id": derive_event_id("wix", envelope.instance_id or "", event_id, name),
        "name": name,
        "occurredAt": moment(event, "eventTime", EVENT),
        "source": compact({"topic": envelope.event_type, "deliveryId": event_id, "shop": envelope.instance_id}),
    })


def _assemble(event: Event, user: dict[str, Any] | None, commerce: dict[str, Any] | None,
              properties: dict[str, Any]) -> Event:
    """The event with the parts that have something in them."""
    return compact({**event, "user": user or None, "commerce": commerce, "properties": properties or None})


def _order_event(envelope: Envelope, event: dict[str, Any], name: str, order: dict[str, Any], path: str) -> Event:
    """An order as a commerce event: who bought, what, for how much."""
    buyer = child(order, "buyerInfo", path) or {}
    billing = child(child(order, "billingInfo", path) or {}, "contactDetails", join(path, "billingInfo")) or {}
    summary = child(order, "priceSummary", path) or {}
    user = _user(envelope, buyer, join(path, "buyerInfo"),
                 phone=text(billing, "phone", join(path, "billingInfo.contactDetails")))
    commerce = compact({
        "orderId": text(order, "id", path, required=True),
        "currency": currency(order, "currency", path),
        "value": price(summary, "total", join(path, "priceSummary")),
        "items": _items(order, path),
    })
    properties = compact({
        "orderNumber": text(order, "number", path),
        "paymentStatus": text(order, "paymentStatus", path),
        "checkoutId": text(order, "checkoutId", path),
        "contactId": text(buyer, "contactId", join(path, "buyerInfo")),
    })
    return _assemble(_base(envelope, event, name), user, commerce, properties)


def _user(envelope: Envelope, buyer: dict[str, Any], path: str, phone: str | None = None) -> dict[str, Any] | None:
    """The buyer's identifiers; the webhook's `identity` fills in a member or visitor id the entity lacks."""
    identity = envelope.identity()
    kind = identity.get("identityType")
    user = compact({
        "memberId": text(buyer, "memberId", path)
        or (text(identity, "memberId", "data.identity") if kind == "MEMBER" else None),
        "anonymousId": text(buyer, "visitorId", path)
        or (text(identity, "anonymousVisitorId", "data.identity") if kind == "ANONYMOUS_VISITOR" else None),
        "email": text(buyer, "email", path),
        "phone": phone,
    })
    return user or None


def _items(parent: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """Line items: the catalog item id as the id (the product), with name, unit price, quantity, variant, SKU."""
    items = []
    for index, raw in enumerate(child_list(parent, "lineItems", path)):
        where = f"{join(path, 'lineItems')}[{index}]"
        line = as_object(raw, where)
        reference = child(line, "catalogReference", where) or {}
        options = child(reference, "options", join(where, "catalogReference")) or {}
        name = child(line, "productName", where) or {}
        variant = text(options, "variantId", join(where, "catalogReference.options"))
        items.append(compact({
            "id": text(reference, "catalogItemId", join(where, "catalogReference"))
            or text(line, "id", where, required=True),
            "name": text(name, "original", join(where, "productName")),
            "price": price(line, "price", where),
            "quantity": quantity(line, "quantity", where),
            "variant": None if variant == NO_VARIANT else variant,
            "sku": text(child(line, "physicalProperties", where) or {}, "sku", join(where, "physicalProperties")),
        }))
    return items


def _action_body(event: dict[str, Any]) -> dict[str, Any]:
    """`actionEvent.body` (or `bodyAsJson`, a JSON string)."""
    action = as_object(event.get("actionEvent"), join(EVENT, "actionEvent"))
    return _member(action, "body", "bodyAsJson", join(EVENT, "actionEvent"))


def _action_order(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The order of an order event's body."""
    path = join(EVENT, "actionEvent.body.order")
    return as_object(body.get("order"), path), path


def _created_entity(event: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`createdEvent.entity` (or `entityAsJson`, a JSON string)."""
    created = as_object(event.get("createdEvent"), join(EVENT, "createdEvent"))
    return _member(created, "entity", "entityAsJson", join(EVENT, "createdEvent")), join(EVENT, "createdEvent.entity")


def _member(parent: dict[str, Any], key: str, json_key: str, path: str) -> dict[str, Any]:
    """An object that Wix's docs show as `key` and its proto as `json_key` (a JSON string)."""
    value = embedded(parent, key, path) or embedded(parent, json_key, path)
    if value is None:
        raise PayloadInvalid(join(path, key), None, "a JSON object")
    return value


def _first_text(values: list[Any], path: str) -> str | None:
    """The first non-empty string of a list."""
    return next((str(v) for v in values if isinstance(v, str) and v), None) if values else None


def _first_of(info: dict[str, Any], group: str, key: str, path: str) -> str | None:
    """From `info.<group>.items[]`, the primary item's `key`, else the first one's."""
    items = child_list(child(info, group, path) or {}, "items", join(path, group))
    entries = [entry for entry in items if isinstance(entry, dict) and isinstance(entry.get(key), str)]
    entries.sort(key=lambda entry: not entry.get("primary"))
    return entries[0][key] if entries else None
