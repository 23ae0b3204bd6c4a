"""One order, many witnesses: the shared id of a site's order events, and the one event its witnesses make.

A shop's Purchase may arrive from its webhook, its pixel, the GTM tag and the SDK. The sources of one
shop declare the same `site`; an order event of such a source gets an id derived from the site, the
event's name and the order id, so every witness of the order carries the same id. The first one stored
is the event; each later one is kept beside it as a witness, and the stored event becomes the merge
of all of them (`merge_witnesses`, a pure function: the same witnesses give the same event, whatever
the order they arrived in). docs/witnesses.md says which witness wins which field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.base import Event, derive_event_id

ORDER_EVENTS = frozenset({"Purchase", "OrderPaid", "OrderCancelled", "Refund"})
"""The events that are about one order, which every witness of the shop names by the same order id."""

KIND_OF_ENDPOINT = {"webhook": "webhook", "events": "server", "collect": "browser"}
"""How a witness reached the gateway: a platform's signed webhook, the events API (a server, the SDK), a browser."""
PLATFORM_PIXEL = "pixel"
"""A browser witness from the platform's own pixel (an adapter declaring `platform_pixel`), not a shop's tag."""
ORDER_FACTS_FIRST = ("webhook", "server", PLATFORM_PIXEL, "browser")
"""Who is believed first on the order itself (totals, items, the customer): the platform's signed word.

The platform's pixel reports its own checkout object; a tag (GTM) reports what the shop's theme pushed.
"""
VISIT_FACTS_FIRST = (PLATFORM_PIXEL, "browser", "server", "webhook")
"""Who is believed first on the visit (anonymous id, page, campaign, IP, user agent): the buyer's browser.

A webhook's own context is the platform's server (its IP address, `Shopify-Captain-Hook`), not the buyer's.
Among browsers, the platform's pixel runs on every checkout page whatever the theme, with the platform's own
browser id; a tag runs where the shop put it, so it comes after.
"""
_ORDER_USER_KEYS = ("memberId", "email", "phone")
_FIELD_ORDER = ("id", "name", "occurredAt", "receivedAt", "source", "user", "page", "properties", "commerce",
                "context")


def witness_kind(endpoint: str, platform_pixel: bool = False) -> str:
    """The kind of witness an input of this endpoint is (`server` for anything unknown).

    `platform_pixel`: the source's adapter forwards the platform's own browser events (a capability, so
    that no adapter's name decides which browser is believed).
    """
    kind = KIND_OF_ENDPOINT.get(endpoint, "server")
    return PLATFORM_PIXEL if kind == "browser" and platform_pixel else kind


def order_key(order_id: str) -> str:
    """The order id every witness agrees on: a GID's numeric tail (`gid://shopify/Order/5` is `5`)."""
    return order_id.rsplit("/", 1)[-1] if order_id.startswith("gid://") else order_id


def site_event_id(site: str, name: str, order_id: str, refund_id: str | None = None) -> str:
    """The id every witness of this order event of this site gives it (a UUID v5)."""
    if refund_id is not None:  # an order may be refunded more than once: each refund is its own event
        return derive_event_id("site-order", site, name, order_key(order_id), refund_id)
    return derive_event_id("site-order", site, name, order_key(order_id))


def claim_for_site(event: Event, site: str) -> bool:
    """Give an order event of a site its shared id (its own id kept as `source.deliveryId`); whether it is one."""
    if event.get("name") not in ORDER_EVENTS:
        return False
    commerce = event.get("commerce")
    order_id = commerce.get("orderId") if isinstance(commerce, dict) else None
    if not isinstance(order_id, str) or not order_id:
        return False  # the schema names what is missing
    source = event.get("source")
    if isinstance(source, dict) and "deliveryId" not in source and isinstance(event.get("id"), str):
        event["source"] = {**source, "deliveryId": event["id"]}
    event["id"] = site_event_id(site, event["name"], order_id, _refund_id(event))
    return True


def _refund_id(event: Event) -> str | None:
    """A Refund's own id (`properties.refundId`, as the shop adapters give it), if it has one."""
    if event["name"] != "Refund":
        return None
    properties = event.get("properties")
    refund_id = properties.get("refundId") if isinstance(properties, dict) else None
    return str(refund_id) if isinstance(refund_id, str | int) and refund_id != "" else None


@dataclass(frozen=True)
class Witness:
    """One source's account of an order event, as it was stored."""

    source_id: str
    kind: str
    event: Event

    def order_rank(self) -> tuple[int, str]:
        """Its place when the order's facts are chosen (ties broken by source id, never by arrival)."""
        return ORDER_FACTS_FIRST.index(self.kind), self.source_id

    def visit_rank(self) -> tuple[int, str]:
        """Its place when the visit's facts are chosen."""
        return VISIT_FACTS_FIRST.index(self.kind), self.source_id


def merge_witnesses(witnesses: Sequence[Witness]) -> Event:
    """The one event the witnesses of an order make together: each field from the witness believed first on it."""
    order_first = [w.event for w in sorted(witnesses, key=Witness.order_rank)]
    visit_first = [w.event for w in sorted(witnesses, key=Witness.visit_rank)]
    top = order_first[0]
    merged: dict[str, Any] = {
        "id": top["id"], "name": top["name"],
        "occurredAt": _first(order_first, lambda e: e.get("occurredAt")),
        # When the gateway first knew of the order: the same whichever witness told it.
        "receivedAt": min(e["receivedAt"] for e in order_first),
        "source": top["source"],
        "user": _user(order_first, visit_first),
        "page": _first(visit_first, lambda e: e.get("page")),
        "properties": _keywise(order_first, lambda e: e.get("properties")),
        "commerce": _first(order_first, lambda e: e.get("commerce")),
        "context": _context(visit_first),
    }
    return {key: merged[key] for key in _FIELD_ORDER if merged.get(key) not in (None, {})}


def _first(events: Iterable[Event], read: Callable[[Event], Any]) -> Any:
    """The value of the first event that has one."""
    return next((value for value in map(read, events) if value not in (None, {}, "")), None)


def _keywise(events: Sequence[Event], read: Callable[[Event], Any]) -> dict[str, Any]:
    """The objects merged key by key, the first event's value winning each key."""
    result: dict[str, Any] = {}
    for event in reversed(events):
        value = read(event)
        if isinstance(value, dict):
            result.update(value)
    return result


def _user(order_first: Sequence[Event], visit_first: Sequence[Event]) -> dict[str, Any]:
    """Who bought: the verified customer from the order's witnesses, the browser's anonymous id from the visit's."""
    def user_of(event: Event) -> dict[str, Any]:
        user = event.get("user")
        return user if isinstance(user, dict) else {}
    result: dict[str, Any] = {}
    anonymous = _first(visit_first, lambda e: user_of(e).get("anonymousId"))
    if anonymous is not None:
        result["anonymousId"] = anonymous
    for key in _ORDER_USER_KEYS:
        value = _first(order_first, lambda e, key=key: user_of(e).get(key))  # type: ignore[misc]
        if value is not None:
            result[key] = value
    traits = _keywise(order_first, lambda e: user_of(e).get("traits"))
    if traits:
        result["traits"] = traits
    return result


def _context(visit_first: Sequence[Event]) -> dict[str, Any]:
    """The visit's context key by key (a campaign whole: its parts belong together)."""
    return _keywise(visit_first, lambda e: e.get("context"))
