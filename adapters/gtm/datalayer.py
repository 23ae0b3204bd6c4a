"""From one dataLayer event (a push, or a gtag command) to a canonical event name, commerce and properties."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.base import PayloadInvalid
from adapters.gtm.ecommerce import ga4_commerce, ua_action, ua_commerce
from adapters.gtm.properties import camel_case, fit_properties

# GA4 recommended events (https://developers.google.com/analytics/devguides/collection/ga4/reference/events)
GA4_EVENTS = {
    "page_view": "PageView", "view_item": "ProductView", "view_item_list": "ProductListView",
    "select_item": "SelectItem", "add_to_cart": "AddToCart", "remove_from_cart": "RemoveFromCart",
    "view_cart": "CartView", "begin_checkout": "CheckoutBegin", "add_shipping_info": "AddShippingInfo",
    "add_payment_info": "AddPaymentInfo", "purchase": "Purchase", "refund": "Refund", "sign_up": "SignUp",
    "login": "Login", "search": "Search", "view_search_results": "Search", "generate_lead": "Lead",
    "add_to_wishlist": "AddToWishlist", "view_promotion": "PromotionView", "select_promotion": "PromotionClick",
}
# Universal Analytics Enhanced Ecommerce actions.
UA_EVENTS = {
    "purchase": "Purchase", "refund": "Refund", "checkout": "CheckoutBegin", "add": "AddToCart",
    "remove": "RemoveFromCart", "detail": "ProductView", "click": "SelectItem", "promoClick": "PromotionClick",
    "promoView": "PromotionView", "impressions": "ProductListView",
}
# GTM's built-in events: page loads and single-page-app navigations are page views; clicks, forms,
# scrolls and videos get names of their own; lifecycle events are noise.
GTM_EVENTS = {
    "gtm.js": "PageView", "gtm.historyChange-v2": "PageView", "gtm.historyChange": "PageView",
    "gtm.linkClick": "LinkClick", "gtm.click": "Click", "gtm.formSubmit": "FormSubmit",
    "gtm.scrollDepth": "ScrollDepth", "gtm.video": "VideoProgress", "gtm.elementVisibility": "ElementVisible",
    "gtm.pageError": "PageError",
}
GTM_LIFECYCLE = frozenset({"gtm.init_consent", "gtm.init", "gtm.dom", "gtm.load", "gtm.triggerGroup", "gtm.timer",
                           "gtm.formInteract", "gtm.click-v2"})
# Names whose events never carry commerce, even if stale e-commerce data came along.
NO_COMMERCE = frozenset({"PageView", "SignUp", "Login", "Search", "LinkClick", "Click", "FormSubmit",
                         "ScrollDepth", "VideoProgress", "ElementVisible", "PageError"})
# GTM element keys of clicks and form submits, as properties.
ELEMENT_KEYS = {"gtm.elementId": "elementId", "gtm.elementClasses": "elementClasses",
                "gtm.elementUrl": "elementUrl", "gtm.elementTarget": "elementTarget",
                "gtm.scrollThreshold": "scrollThreshold", "gtm.scrollUnits": "scrollUnits",
                "gtm.videoTitle": "videoTitle", "gtm.videoStatus": "videoStatus", "gtm.videoPercent": "videoPercent",
                "gtm.videoUrl": "videoUrl", "gtm.errorMessage": "errorMessage", "gtm.errorUrl": "errorUrl",
                "gtm.historyChangeSource": "historyChangeSource"}
# Push keys that steer GTM rather than describe the event.
CONTROL_KEYS = frozenset({"event", "ecommerce", "eventCallback", "eventTimeout"})
# GA4 parameters with a canonical place (commerce or a named property).
GA4_COMMERCE_PARAMS = frozenset({"items", "value", "currency", "transaction_id"})
_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,29}$")


@dataclass(slots=True)
class MappingRules:
    """A source's settings that change the mapping (made for each request: slotted, not frozen, is cheaper)."""

    rename: Mapping[str, str] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    default_currency: str | None = None


@dataclass(slots=True)
class Mapped:
    """What one dataLayer event becomes."""

    name: str
    commerce: dict[str, Any]
    properties: dict[str, Any]
    page_url: str | None = None


def map_event(event: str | None, data: Mapping[str, Any], fixed_name: str | None, rules: MappingRules,
              field_prefix: str = "data") -> Mapped | None:
    """The canonical form of a dataLayer event, or None when it is not one to record."""
    gtag = data.get("gtag")
    if gtag is not None:
        return _map_gtag(gtag, fixed_name, rules, f"{field_prefix}.gtag")
    event = event if event is not None else data.get("event")
    if event is not None and not isinstance(event, str):
        raise PayloadInvalid(f"{field_prefix}.event", event, "a string: the dataLayer event name")
    if event in rules.drop or event in GTM_LIFECYCLE:
        return None
    ecommerce = data.get("ecommerce")
    ecommerce = ecommerce if isinstance(ecommerce, dict) else None
    action = ua_action(ecommerce) if ecommerce and event not in GA4_EVENTS else None
    name = _name(event, action, fixed_name, rules)
    if name is None:
        return None
    commerce: dict[str, Any] = {}
    flat_params = False
    if name not in NO_COMMERCE and ecommerce:
        if action is not None:
            commerce = ua_commerce(ecommerce, action, f"{field_prefix}.ecommerce", rules.default_currency)
        else:
            commerce = ga4_commerce(ecommerce, f"{field_prefix}.ecommerce", rules.default_currency)
    elif name not in NO_COMMERCE and event in GA4_EVENTS and GA4_COMMERCE_PARAMS & set(data):
        # GA4 parameters pushed beside the event rather than under `ecommerce` (generate_lead's value).
        commerce = ga4_commerce(data, field_prefix, rules.default_currency)
        flat_params = True
    properties = _properties({k: v for k, v in data.items() if not (flat_params and k in GA4_COMMERCE_PARAMS)},
                             event)
    if commerce and ecommerce:
        properties.update(_commerce_extras(ecommerce, action))
    if action == "checkout":
        step = ecommerce["checkout"].get("actionField", {}) if ecommerce else {}
        if isinstance(step, dict):
            properties.update({k: v for k, v in step.items() if k in ("step", "option")})
    page_url = data.get("gtm.newUrl") if event in ("gtm.historyChange-v2", "gtm.historyChange") else None
    return Mapped(name, commerce, properties, page_url if isinstance(page_url, str) else None)


def _map_gtag(command: Any, fixed_name: str | None, rules: MappingRules, field: str) -> Mapped | None:
    """gtag('event', name, params), with flat GA4 parameters; other commands (js, config, set) are not events."""
    if not isinstance(command, list) or not command or not isinstance(command[0], str):
        raise PayloadInvalid(field, command, 'a gtag command: ["event", "<name>", {params}]')
    if command[0] != "event":
        return None
    if len(command) < 2 or not isinstance(command[1], str):
        raise PayloadInvalid(f"{field}[1]", command[1] if len(command) > 1 else None, "the gtag event name")
    event = command[1]
    params = command[2] if len(command) > 2 else {}
    if not isinstance(params, dict):
        raise PayloadInvalid(f"{field}[2]", params, "the gtag event parameters: an object")
    if event in rules.drop:
        return None
    name = _name(event, None, fixed_name, rules)
    if name is None:
        return None
    commerce = {} if name in NO_COMMERCE else ga4_commerce(params, f"{field}[2]", rules.default_currency)
    properties = _properties({k: v for k, v in params.items() if k not in GA4_COMMERCE_PARAMS}, event)
    return Mapped(name, commerce, properties)


def _commerce_extras(ecommerce: Mapping[str, Any], action: str | None) -> dict[str, Any]:
    """Order-level details without a place in `commerce` (coupon, tax, shipping, affiliation, ...), as properties."""
    if action is None:
        extras = {k: v for k, v in ecommerce.items() if k not in GA4_COMMERCE_PARAMS}
    else:
        body = ecommerce.get(action)
        action_field = body.get("actionField") if isinstance(body, dict) else None
        extras = {k: v for k, v in (action_field or {}).items() if k not in ("id", "revenue", "step", "option")}
    return fit_properties((camel_case(k), v) for k, v in extras.items() if k != "currencyCode")


def _name(event: str | None, action: str | None, fixed_name: str | None, rules: MappingRules) -> str | None:
    """The rename table first, then the tag's fixed name, GA4, UA, GTM built-ins; custom names pass through."""
    if event is not None and event in rules.rename:
        return rules.rename[event]
    if fixed_name:
        return fixed_name
    if action is not None:
        return UA_EVENTS[action]
    if event is None:
        return None  # a push without an event (a reset such as {ecommerce: null}, or plain data)
    if event in GA4_EVENTS:
        return GA4_EVENTS[event]
    if event in GTM_EVENTS:
        return GTM_EVENTS[event]
    if event.startswith("gtm."):
        return None  # another GTM internal event
    return custom_name(event)


def custom_name(event: str) -> str:
    """A custom dataLayer event name as a valid canonical name (unchanged when it already is one)."""
    if _NAME_PATTERN.match(event):
        return event
    words = [word for word in re.split(r"[^A-Za-z0-9]+", event) if word]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or not name[0].isalpha():
        name = "Custom" + name
    return name[:30]


def _properties(data: Mapping[str, Any], event: str | None) -> dict[str, Any]:
    pairs: list[tuple[str, Any]] = []
    for key, value in data.items():
        if key in CONTROL_KEYS:
            continue
        if key.startswith("gtm."):
            if key in ELEMENT_KEYS:
                pairs.append((ELEMENT_KEYS[key], value))
            continue
        pairs.append((camel_case(key), value))
    return fit_properties(pairs)


