"""The BigCommerce script in real Chromium, against the real gateway.

A Stencil storefront cannot exist here, so the test page emulates BODL as BigCommerce documents it
(dev-docs bodl-for-storefronts.mdx: `window.bodlEvents.{product,cart,checkout,banner}.<function>(callback)`,
subscribed on window load) and emits payloads shaped as its field tables say.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Source
from adapters.bigcommerce_pixel import adapter
from tests.pixels.conftest import PIXEL_SOURCES
from tests.pixels.posts import RECORDER, Posts
from tests.pixels.shop import ShopServer, stored_events, wait_until
from tests.support.server import RunningGateway

pytestmark = pytest.mark.e2e

SOURCE = "bigcommerce-pixel"
CASES = Path(__file__).resolve().parents[1] / "adapters" / "bigcommerce_pixel" / "cases"
BODL_FUNCTIONS = {"product": ["searchPerformed", "categoryViewed", "pageViewed"], "banner": ["viewed"],
                  "cart": ["addItem", "viewed", "removeItem"],
                  "checkout": ["checkoutBegin", "shippingDetailsProvided", "paymentDetailsProvided", "orderPurchased"]}

BODL = """
<script>
// BODL as BigCommerce documents it: one subscription function per event, each taking a callback.
(function () {
  var callbacks = {}, functions = FUNCTIONS;
  window.bodlEvents = {};
  Object.keys(functions).forEach(function (group) {
    window.bodlEvents[group] = {};
    functions[group].forEach(function (name) {
      window.bodlEvents[group][name] = function (callback) { callbacks[group + "." + name] = callback; };
    });
  });
  window.bodlEmit = function (fn, payload) { callbacks[fn](payload); };
  window.bodlSubscribed = function () { return Object.keys(callbacks).sort(); };
})();
</script>
"""


def payload(case: str) -> dict[str, Any]:
    """A BODL payload as the adapter's case holds it (built from BigCommerce's field tables)."""
    return dict(json.loads((CASES / f"{case}.json").read_text())["request"]["body"]["event"]["data"])


def open_store(browser_context: Any, shop: ShopServer, gateway: RunningGateway, path: str) -> tuple[Any, Posts]:
    """A storefront page with BODL emulated and the script as printed for the source."""
    snippet = adapter.install_snippet(Source(SOURCE, "bigcommerce_pixel"), gateway.url, PIXEL_SOURCES[SOURCE][1])
    html = ("<!doctype html><html><head><title>Example Store</title>" + RECORDER
            + BODL.replace("FUNCTIONS", json.dumps(BODL_FUNCTIONS)) + "</head><body>" + snippet + "</body></html>")
    page = browser_context.new_page()
    page.goto(shop.page(path, html))
    return page, Posts(page)


def test_each_bodl_event_arrives_once_with_a_page_view_per_load(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_store(browser_context, shop, pixel_gateway, "/bc/once")
    expected = sorted(f"{group}.{name}" for group, names in BODL_FUNCTIONS.items() for name in names)
    assert page.evaluate("bodlSubscribed()") == expected  # all 11
    added = payload("cart_product_added")
    page.evaluate("([fn, p]) => bodlEmit(fn, p)", ["cart.addItem", added])
    page.evaluate("([fn, p]) => bodlEmit(fn, p)", ["cart.addItem", added])  # the same event_id twice
    page.evaluate("([fn, p]) => bodlEmit(fn, p)", ["checkout.orderPurchased", payload("order_purchased")])
    wait_until(lambda: len(posts.all()) == 4 and posts.settled(), "the script's posts to finish", page)
    assert posts.outcomes() == ["sent"] * 4

    events = [e for e in stored_events(pixel_gateway.url, SOURCE) if e["page"]["url"].endswith("/bc/once")]
    assert [e["name"] for e in events] == ["PageView", "AddToCart", "Purchase"]
    viewed, cart, purchase = events
    assert cart["id"] == added["event_id"]
    assert purchase["commerce"]["orderId"] == "100" and purchase["commerce"]["value"] == 53.5
    browser_id = page.evaluate("localStorage.getItem('tagway_bc_visitor')")
    assert viewed["user"] == cart["user"] == purchase["user"] == {"anonymousId": browser_id}
    page.close()


def test_an_event_sent_offline_is_sent_again_once_online(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_store(browser_context, shop, pixel_gateway, "/bc/offline")
    wait_until(posts.settled, "the page view", page)
    browser_context.set_offline(True)
    viewed = {**payload("cart_viewed"), "event_id": "00000000-0000-4000-8000-0000000009aa"}
    page.evaluate("([fn, p]) => bodlEmit(fn, p)", ["cart.viewed", viewed])
    wait_until(lambda: "failed" in posts.outcomes(), "the post to fail while offline", page)
    browser_context.set_offline(False)
    stored = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE)
                                 if e["id"] == viewed["event_id"]], "the CartView once online", page)
    assert len(stored) == 1 and stored[0]["name"] == "CartView"
    page.close()
