"""The envelope in which tagway's builder pixels (Shopify, Wix, BigCommerce) post one platform event.

POST /v1/collect?k=<write key>, `Content-Type: text/plain` (no CORS preflight), the body a JSON object:

    {"v": 1, "event": {<the platform's event, as the platform gave it>}, "consent": {<the platform's flags>},
     "customerId": "<the platform's customer id, when logged in>", "anonymousId": "<a browser id>",
     "shop": "<the shop's domain>", "page": {"url", "title", "referrer"}, "sentAt": <ms since the epoch>,
     "library": {"name", "version"}}

Only `v` and `event` are required. The snippet forwards the platform's event unchanged, so that a mapping
fix is a gateway upgrade, never a new snippet for the shop owner to paste.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from adapters.base import InboundRequest, PayloadInvalid
from adapters.fields import MAX_ID, MAX_SOURCE_TEXT, obj, obj_or_empty, opt_ident, short
from adapters.times import format_time, from_epoch_millis

VERSION = 1
KEYS = frozenset({"v", "event", "consent", "customerId", "anonymousId", "shop", "page", "sentAt", "library"})
_PAGE_KEYS = ("url", "title", "referrer")
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_]+")
MAX_NAME = 30
STANDARD_NAMES = frozenset(name.lower() for name in (
    "PageView", "UserChatOpen", "MarketingView", "MarketingClick", "MarketingGoal", "SignUp", "Login", "Search", "Lead",
    "ProductView", "ProductListView", "AddToCart", "RemoveFromCart", "CartView", "CheckoutBegin", "AddShippingInfo",
    "AddPaymentInfo", "Purchase", "OrderPaid", "OrderCancelled", "Refund", "ProfileUpdate"))
"""The canonical standard names (app/schemas/event.v1.json): a custom event never takes one of them."""


@dataclass(slots=True)
class Envelope:
    """One pixel post: the platform's event and what the snippet adds to it."""

    event: dict[str, Any]
    consent: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None
    anonymous_id: str | None = None
    shop: str | None = None
    page: dict[str, str] = field(default_factory=dict)
    sent_at: str | None = None
    library: dict[str, str] = field(default_factory=dict)


def read_envelope(request: InboundRequest) -> Envelope:
    """The envelope of a pixel's POST; PayloadInvalid naming the field when it is not one."""
    if request.method != "POST":
        raise PayloadInvalid("method", request.method, "POST with the pixel's JSON envelope as a text/plain body")
    body = obj(request.json(), "body")
    if not KEYS.issuperset(body):
        unknown = sorted(set(body) - KEYS)
        raise PayloadInvalid(unknown[0], body[unknown[0]],
                             "no such key in a pixel envelope; allowed: " + ", ".join(sorted(KEYS)))
    if body.get("v") != VERSION:
        raise PayloadInvalid("v", body.get("v"), f"the pixel envelope's version, {VERSION}")
    return Envelope(
        event=obj(body.get("event"), "event"),
        consent=obj_or_empty(body.get("consent"), "consent"),
        customer_id=opt_ident(body.get("customerId"), "customerId") or None,
        anonymous_id=opt_ident(body.get("anonymousId"), "anonymousId") or None,
        shop=(short(body.get("shop"), "shop", MAX_SOURCE_TEXT)),
        page=_page(obj_or_empty(body.get("page"), "page")),
        sent_at=_sent_at(body.get("sentAt")),
        library=_library(obj_or_empty(body.get("library"), "library")),
    )


def _page(page: dict[str, Any]) -> dict[str, str]:
    """The page the snippet saw; without a web address (a sandbox's about:blank) no page at all."""
    url = short(page.get("url"), "page.url", 8192)
    if url is None or not is_web_address(url):
        return {}
    found: dict[str, str] = {"url": url}
    for key in _PAGE_KEYS[1:]:
        value = page.get(key)
        if value is not None:
            value = short(value, "page." + key, 8192)
            if value:
                found[key] = value
    return found


def is_web_address(url: str | None) -> bool:
    """Whether `url` is an http(s) address: the only pages an event keeps (the schema says which are valid)."""
    return url is not None and url.lower().startswith(("http://", "https://"))


def _sent_at(value: Any) -> str | None:
    """When the snippet sent the post (its clock), so that the gateway corrects the browser's clock skew."""
    return browser_time(value, "sentAt")


def browser_time(value: Any, path: str) -> str | None:
    """A browser's Date.now() (milliseconds since the epoch) as a canonical time; None when absent."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e14:
        return format_time(from_epoch_millis(value))
    raise PayloadInvalid(path, value, "milliseconds since the Unix epoch (Date.now() in the browser)")


def _library(library: dict[str, Any]) -> dict[str, str]:
    name, version = short(library.get("name"), "library.name", 200), short(library.get("version"), "library.version",
                                                                          50)
    return {"name": name, **({"version": version} if version else {})} if name else {}


def event_id(value: Any, path: str) -> str:
    """The platform's event id, as the canonical id (a retry of the same post carries the same)."""
    found = opt_ident(value, path)
    if not found or len(found) > MAX_ID:
        raise PayloadInvalid(path, value, f"the platform's event id: a string of 1 to {MAX_ID} characters")
    return found


def custom_name(name: str) -> str:
    """A canonical name for a platform's custom event: `my_app:signup` → `my_app_signup`.

    A letter first and 30 characters at most; a name that spells a standard one (`Purchase`) gets `custom_` in
    front, since anyone can publish a custom event from the browser's console and must not forge a standard one.
    """
    found = _NAME_CHARACTERS.sub("_", name).strip("_")
    if not found[:1].isascii() or not found[:1].isalpha() or found.lower() in STANDARD_NAMES:
        found = "custom_" + found
    return found[:MAX_NAME].rstrip("_")
