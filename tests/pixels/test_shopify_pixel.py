"""The Shopify custom pixel in real Chromium, against the real gateway.

Shopify's own page cannot exist here, so the test page emulates the custom-pixel sandbox's documented API
(@shopify/web-pixels-extension 2.18.0: `analytics.subscribe` in ExtensionApi.ts, `init` in RegisterInit.ts,
`browser.localStorage` in PixelEvents `Browser`, `customerPrivacy.subscribe('visitorConsentCollected')` in
PrivacyApi.ts) and emits events shaped as those types say, then runs the snippet `tagway sources add` prints.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from adapters.base import Source
from adapters.shopify_pixel import STANDARD_EVENTS_SUBSCRIBED, adapter
from tests.pixels.conftest import PIXEL_SOURCES
from tests.pixels.posts import RECORDER, Posts
from tests.pixels.shop import ShopServer, stored_events, wait_until
from tests.support.server import RunningGateway

pytestmark = pytest.mark.e2e

SOURCE = "shopify-pixel"
SHOP = "example-shop.myshopify.com"
CLIENT_ID = "b9a3c3b5-7c43-4b1f-a2d6-0e1f2f1c9e3d"
CUSTOMER_ID = "6012345678901"
GRANTED = {"analyticsProcessingAllowed": True, "marketingAllowed": True, "preferencesProcessingAllowed": True,
           "saleOfDataAllowed": False}
REFUSED = dict.fromkeys(GRANTED, False)

SANDBOX = """
<script>
// The custom-pixel sandbox's API, emulated from @shopify/web-pixels-extension 2.18.0.
(function () {
  var subscribers = {}, privacySubscribers = [];
  function call(name, event) { (subscribers[name] || []).forEach(function (cb) { cb(event); }); }
  window.analytics = {subscribe: function (name, callback) {
    (subscribers[name] = subscribers[name] || []).push(callback);
    return function () { return true; };
  }};
  function later(value) { return Promise.resolve(value); }
  window.browser = {
    localStorage: {getItem: function (k) { return later(localStorage.getItem(k)); },
                   setItem: function (k, v) { return later(localStorage.setItem(k, v)); },
                   removeItem: function (k) { return later(localStorage.removeItem(k)); },
                   key: function (i) { return later(localStorage.key(i)); },
                   length: function () { return later(localStorage.length); },
                   clear: function () { return later(localStorage.clear()); }},
    sendBeacon: function () { throw new Error("deprecated: the pixel must use fetch"); },
    cookie: {get: function () { return later(""); }, set: function () { return later(""); }}
  };
  window.init = INIT;
  window.customerPrivacy = {subscribe: function (name, callback) {
    if (name === "visitorConsentCollected") privacySubscribers.push(callback);
  }};
  // What Shopify does: a standard event to its name's subscribers, a custom one to all_custom_events too.
  window.shopifyEmit = function (event) {
    call(event.name, event);
    call(event.type === "custom" ? "all_custom_events" : "all_standard_events", event);
    call("all_events", event);
  };
  window.shopifyConsent = function (privacy) {
    privacySubscribers.forEach(function (cb) { cb({customerPrivacy: privacy}); });
  };
  window.subscribedNames = function () { return Object.keys(subscribers).sort(); };
})();
</script>
"""


def init(privacy: dict[str, bool], customer: bool = True) -> dict[str, Any]:
    """Shopify's `init` (RegisterInit.ts), as shared/conformance/pixels/shopify/from_types/init__from_types.json."""
    return {"context": context("/"),
            "data": {"customer": {"id": CUSTOMER_ID, "email": "ji.kim@example.com", "firstName": "Ji",
                                  "lastName": "Kim", "phone": None, "ordersCount": 2} if customer else None,
                     "cart": None, "purchasingCompany": None,
                     "shop": {"countryCode": "US", "myshopifyDomain": SHOP, "name": "Example Shop",
                              "paymentSettings": {"currencyCode": "USD"}, "storefrontUrl": "https://shop.example"}},
            "customerPrivacy": privacy}


def context(path: str) -> dict[str, Any]:
    """The top frame's context Shopify gives each standard event (window included: the pixel drops it)."""
    location = {"hash": "", "host": SHOP, "hostname": SHOP, "href": f"https://{SHOP}{path}",
                "origin": f"https://{SHOP}", "pathname": path, "port": "", "protocol": "https:", "search": ""}
    return {"document": {"location": location, "referrer": "", "characterSet": "UTF-8", "title": "Example Shop"},
            "navigator": {"cookieEnabled": True, "language": "en-US", "languages": ["en-US"], "userAgent": "x"},
            "window": {"innerHeight": 900, "innerWidth": 1400, "location": location, "origin": f"https://{SHOP}",
                       "outerHeight": 1000, "outerWidth": 1440, "pageXOffset": 0, "pageYOffset": 0,
                       "screen": {"height": 1080, "width": 1920}, "screenX": 0, "screenY": 0, "scrollX": 0,
                       "scrollY": 0}}


def event(name: str, data: dict[str, Any], event_id: str, path: str = "/", kind: str = "standard") -> dict[str, Any]:
    """A Shopify pixel event (PixelEvents/index.ts), timestamped now."""
    found = {"id": event_id, "name": name, "type": kind, "clientId": CLIENT_ID, "seq": 1,
             "timestamp": "2026-11-24T11:59:58.123Z", "context": context(path)}
    found["customData" if kind == "custom" else "data"] = data
    return found


VARIANT = {"id": "41234567890123", "image": None, "price": {"amount": 25.0, "currencyCode": "USD"},
           "product": {"id": "7234590834801", "title": "Linen shirt", "type": "Shirts", "untranslatedTitle": None,
                       "url": "/products/linen-shirt", "vendor": "Example Goods"},
           "sku": None, "title": "M / Blue", "untranslatedTitle": None}
ADDED = {"cartLine": {"cost": {"totalAmount": {"amount": 50.0, "currencyCode": "USD"}}, "merchandise": VARIANT,
                      "quantity": 2}}
CHECKOUT = {"currencyCode": "USD", "email": "ji.kim@example.com", "phone": "+15555550100",
            "token": "5a0cc37b4e3f4f1b8a2d6b6f3c9e1d27", "totalPrice": {"amount": 57.5, "currencyCode": "USD"},
            "lineItems": [{"id": "51234567890123", "quantity": 2, "title": "Linen shirt", "variant": VARIANT,
                           "finalLinePrice": {"amount": 50.0, "currencyCode": "USD"}}],
            "shippingAddress": {"address1": "1 Main St", "city": "Springfield", "zip": "97477"},
            "order": {"id": "5812345678901", "customer": {"id": CUSTOMER_ID, "isFirstOrder": False}}}


def open_shop(browser_context: Any, shop: ShopServer, gateway: RunningGateway, privacy: dict[str, bool],
              path: str, write_key: str = PIXEL_SOURCES[SOURCE][1]) -> tuple[Any, Posts]:
    """A page with the emulated sandbox and the pixel as printed for the source; its posts are recorded."""
    snippet = adapter.install_snippet(Source(SOURCE, "shopify_pixel"), gateway.url, write_key)
    html = ("<!doctype html><html><head><title>sandbox</title></head><body>"
            + RECORDER + SANDBOX.replace("INIT", json.dumps(init(privacy)))
            + f"<script>{snippet}</script></body></html>")
    page = browser_context.new_page()
    page.goto(shop.page(path, html))
    return page, Posts(page)


def test_each_event_arrives_once_with_the_page_and_visitor_from_shopify(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_shop(browser_context, shop, pixel_gateway, GRANTED, "/shopify/once")
    assert page.evaluate("subscribedNames()") == sorted([*STANDARD_EVENTS_SUBSCRIBED, "all_custom_events"])
    viewed = event("page_viewed", {}, "sh-once-page-viewed", "/products/linen-shirt")
    page.evaluate("e => shopifyEmit(e)", viewed)
    page.evaluate("e => shopifyEmit(e)", event("product_added_to_cart", ADDED, "sh-once-added",
                                               "/products/linen-shirt"))
    page.evaluate("e => shopifyEmit(e)", event("my_app:wishlist_add", {"product": {"id": "7234590834801"}},
                                               "sh-once-custom", kind="custom"))
    page.evaluate("e => shopifyEmit(e)", copy.deepcopy(viewed))  # Shopify replays events once consent is given

    wait_until(posts.settled, "the pixel's posts to finish", page)
    assert posts.outcomes() == ["sent"] * 4
    assert all(p["options"]["method"] == "POST" and p["options"]["keepalive"] is True and
               p["options"]["headers"] == {"Content-Type": "text/plain"} for p in posts.all())
    assert all("window" not in body["event"].get("context", {}) for body in posts.bodies())
    events = [e for e in stored_events(pixel_gateway.url, SOURCE) if e["id"].startswith("sh-once")]
    assert [e["name"] for e in events] == ["PageView", "AddToCart", "my_app_wishlist_add"]
    viewed_event, added, _ = events
    # The page is the shop's, from the event's context, not the sandbox's own address.
    assert viewed_event["page"]["url"] == f"https://{SHOP}/products/linen-shirt"
    assert viewed_event["user"] == {"anonymousId": CLIENT_ID, "memberId": CUSTOMER_ID}
    assert viewed_event["source"]["shop"] == SHOP
    assert added["commerce"] == {"currency": "USD", "value": 50, "items": [
        {"id": "7234590834801", "name": "Linen shirt", "price": 25, "quantity": 2, "variant": "M / Blue",
         "brand": "Example Goods", "category": "Shirts", "properties": {"variantId": "41234567890123"}}]}
    assert added["context"]["consent"] == {"analytics": True, "marketing": True, "preferences": True,
                                           "saleOfData": False}
    page.close()


def test_an_event_sent_offline_is_sent_again_once_online(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_shop(browser_context, shop, pixel_gateway, GRANTED, "/shopify/offline")
    browser_context.set_offline(True)
    page.evaluate("e => shopifyEmit(e)", event("product_added_to_cart", ADDED, "sh-offline-added"))
    wait_until(lambda: "failed" in posts.outcomes(), "the post to fail while offline", page)
    kept = wait_until(lambda: page.evaluate("localStorage.getItem('tagway_pixel_pending')"), "the event to be kept",
                      page)
    assert [e["event"]["id"] for e in json.loads(kept)] == ["sh-offline-added"]
    assert not [e for e in stored_events(pixel_gateway.url, SOURCE) if e["id"] == "sh-offline-added"]

    browser_context.set_offline(False)
    stored = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE) if e["id"] == "sh-offline-added"],
                        "the event to arrive once back online", page)
    assert len(stored) == 1 and stored[0]["name"] == "AddToCart"
    wait_until(lambda: page.evaluate("localStorage.getItem('tagway_pixel_pending')") == "[]",
               "the kept event to be forgotten once delivered", page)
    page.close()


def test_without_consent_nothing_identifying_is_sent_until_the_visitor_consents(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_shop(browser_context, shop, pixel_gateway, REFUSED, "/shopify/consent")
    completed = event("checkout_completed", {"checkout": CHECKOUT}, "sh-consent-completed", "/checkouts/cn/x/thank-you")
    page.evaluate("e => shopifyEmit(e)", completed)
    wait_until(posts.settled, "the post to finish", page)
    sent = json.dumps(posts.bodies())
    for identifier in (CLIENT_ID, CUSTOMER_ID, "ji.kim@example.com", "+15555550100", "1 Main St"):
        assert identifier not in sent
    purchase = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE)
                                   if e["id"] == "sh-consent-completed"], "the Purchase", page)[0]
    assert "user" not in purchase
    assert purchase["commerce"]["orderId"] == "5812345678901"
    assert purchase["context"]["consent"]["analytics"] is False
    assert purchase["context"]["ip"] == "127.0.0.0"  # cut to its network

    page.evaluate("p => shopifyConsent(p)", GRANTED)
    page.evaluate("e => shopifyEmit(e)", event("page_viewed", {}, "sh-consent-page-viewed"))
    viewed = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE)
                                 if e["id"] == "sh-consent-page-viewed"], "the page view after consent", page)[0]
    assert viewed["user"] == {"anonymousId": CLIENT_ID, "memberId": CUSTOMER_ID}
    page.close()
