"""The Wix snippet in real Chromium, against the real gateway.

A Wix site cannot exist here, so the test page emulates what the snippet uses of Wix, as documented:
`window.wixDevelopersAnalytics.register(listenerId, callback)`, made available late and announced by the
`wixDevelopersAnalyticsReady` window event (wix-client-docs guides/getting-started.md), and the consent policy
(`consentPolicyManager.getCurrentConsentPolicy()`, `consentPolicyChanged`; dev.wix.com Consent Policy Manager).
The events are the JSON examples of Wix's client-events reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Source
from adapters.wix_pixel import adapter
from tests.pixels.conftest import PIXEL_SOURCES
from tests.pixels.posts import RECORDER, Posts
from tests.pixels.shop import ShopServer, stored_events, wait_until
from tests.support.server import RunningGateway

pytestmark = pytest.mark.e2e

SOURCE = "wix-pixel"
EXAMPLES = Path(__file__).resolve().parents[1] / "adapters" / "wix_pixel" / "cases"
GRANTED = {"essential": True, "functional": True, "analytics": True, "advertising": False, "dataToThirdParty": False}
REFUSED = {**GRANTED, "analytics": False, "functional": False}

WIX = """
<script>
// What the snippet uses of a Wix site, emulated from Wix's documentation.
(function () {
  var listeners = {}, policy = POLICY;
  window.consentPolicyManager = {getCurrentConsentPolicy: function () {
    return {defaultPolicy: false, policy: policy};
  }};
  window.wixConsent = function (changed) {
    policy = changed;
    document.dispatchEvent(new CustomEvent("consentPolicyChanged", {detail: {defaultPolicy: false, policy: changed}}));
  };
  window.wixEmit = function (name, params) {
    Object.keys(listeners).forEach(function (id) { listeners[id](name, params); });
  };
  window.wixListeners = function () { return Object.keys(listeners).length; };
  // Wix's API arrives after the site's custom code has run, and says so with wixDevelopersAnalyticsReady.
  setTimeout(function () {
    window.wixDevelopersAnalytics = {register: function (id, callback) { listeners[id] = callback; },
                                     triggerEvent: function () {}};
    window.dispatchEvent(new Event("wixDevelopersAnalyticsReady"));
  }, 50);
})();
</script>
"""


def example(case: str) -> tuple[str, dict[str, Any]]:
    """A Wix event (name, parameters) as a case of the adapter's holds it (Wix's documented example)."""
    event = json.loads((EXAMPLES / f"{case}.json").read_text())["request"]["body"]["event"]
    return event["name"], event["params"]


def open_site(browser_context: Any, shop: ShopServer, gateway: RunningGateway, policy: dict[str, bool],
              path: str) -> tuple[Any, Posts]:
    """A page of the 'site' with the emulated Wix API and the snippet as printed for the source."""
    snippet = adapter.install_snippet(Source(SOURCE, "wix_pixel"), gateway.url, PIXEL_SOURCES[SOURCE][1])
    html = ("<!doctype html><html><head><title>Coffee shop</title>" + RECORDER
            + WIX.replace("POLICY", json.dumps(policy)) + snippet + "</head><body></body></html>")
    page = browser_context.new_page()
    page.goto(shop.page(path, html))
    wait_until(lambda: page.evaluate("wixListeners()") == 1, "the snippet to register its listener", page)
    return page, Posts(page)


def emit(page: Any, name: str, params: dict[str, Any]) -> None:
    page.evaluate("([name, params]) => wixEmit(name, params)", [name, params])


def test_each_event_arrives_once_with_the_page_and_wix_visitor(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_site(browser_context, shop, pixel_gateway, GRANTED, "/wix/once")
    emit(page, *example("page_view"))
    emit(page, *example("add_to_cart"))
    emit(page, *example("add_to_cart"))  # the same event (its _internalEventId) reported twice
    emit(page, *example("sign_up"))
    wait_until(posts.settled, "the snippet's posts to finish", page)
    assert posts.outcomes() == ["sent"] * 4
    assert all(p["options"]["keepalive"] is True and p["options"]["headers"] == {"Content-Type": "text/plain"}
               for p in posts.all())

    events = [e for e in stored_events(pixel_gateway.url, SOURCE) if e["page"]["url"].endswith("/wix/once")]
    assert [e["name"] for e in events] == ["PageView", "AddToCart", "SignUp"]
    viewed, added, signed_up = events
    assert viewed["page"]["title"] == "Coffee shop"
    assert added["id"] == "905bc987-0681-4148-93b0-b0d255b48d83"  # Wix's _internalEventId
    assert added["user"] == {"anonymousId": "6d0465bd-ea9e-4fdf-b7f4-6979755e13d8"}  # Wix's visitorId
    assert signed_up["user"] == added["user"]  # remembered for the events that carry no visitorId
    assert added["commerce"]["value"] == 67.5 and added["context"]["consent"]["analytics"] is True
    page.close()


def test_an_event_sent_offline_is_sent_again_once_online(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_site(browser_context, shop, pixel_gateway, GRANTED, "/wix/offline")
    browser_context.set_offline(True)
    emit(page, *example("purchase"))
    wait_until(lambda: "failed" in posts.outcomes(), "the post to fail while offline", page)
    browser_context.set_offline(False)
    stored = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE)
                                 if e["page"]["url"].endswith("/wix/offline")], "the Purchase once online", page)
    assert [e["name"] for e in stored] == ["Purchase"]
    assert stored[0]["commerce"]["orderId"] == "d86d077c-c5d2-42c6-8b15-f5e26f276807"
    page.close()


def test_without_analytics_consent_nothing_identifying_is_sent(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_site(browser_context, shop, pixel_gateway, REFUSED, "/wix/consent")
    name, params = example("add_to_cart")
    emit(page, name, {**params, "_internalEventId": "c0ffee00-0000-4000-8000-000000000001"})
    wait_until(posts.settled, "the post to finish", page)
    sent = json.dumps(posts.bodies())
    assert params["visitorId"] not in sent and params["userId"] not in sent and "anonymousId" not in sent
    assert page.evaluate("localStorage.getItem('tagway_wix_visitor')") is None  # no id kept in the browser either
    stored = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE)
                                 if e["page"]["url"].endswith("/wix/consent")], "the AddToCart", page)
    assert "user" not in stored[0] and stored[0]["context"]["consent"]["analytics"] is False

    page.evaluate("p => wixConsent(p)", GRANTED)
    emit(page, name, {**params, "_internalEventId": "c0ffee00-0000-4000-8000-000000000002"})
    stored = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE)
                                 if e["page"]["url"].endswith("/wix/consent") and "user" in e], "the consented event",
                        page)
    assert stored[0]["user"] == {"anonymousId": params["visitorId"]}
    page.close()
