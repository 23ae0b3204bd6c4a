"""tagway.js in a real Chromium against a real gateway: what a site owner relies on once the snippet is pasted."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import requests

from app.sdk import browser_script
from tests.sdk.conftest import MEMBER_HASH, MEMBERS_KEY, QUEUE, SITE_KEY, Site, page_html, settle, stored, wait_for
from tests.support.gateway import ADMIN

pytestmark = pytest.mark.e2e


def names(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events]


def test_calls_made_before_the_script_loads_are_sent_once_with_the_page_view(site: Site) -> None:
    html = page_html(site.gateway.url, SITE_KEY, after="tagway('track', 'CouponApplied', {code: 'SPRING'});")
    tab = site.open("/early", html)
    events = wait_for(lambda: stored(site.gateway, "site", "/early"), lambda found: len(found) >= 2)
    assert names(events) == ["PageView", "CouponApplied"]
    view, coupon = events
    assert coupon["properties"] == {"code": "SPRING"}
    assert view["page"]["title"] == "Home" and view["page"]["path"] == "/early"
    anonymous_id = tab.evaluate("localStorage.getItem('tw_aid')")
    cookie = next(c for c in site.context.cookies() if c["name"] == "tw_aid")
    assert cookie["value"] == anonymous_id == view["user"]["anonymousId"] == coupon["user"]["anonymousId"]
    assert view["context"]["library"] == {"name": "tagway.js", "version": browser_script().version}
    assert view["context"]["locale"] == "ko-KR"
    # Playwright drives Chromium through the DevTools protocol: navigator.webdriver is true, so it is a bot.
    assert view["context"]["bot"] is True
    assert "memberVerified" not in view["user"]


def test_a_single_page_app_gets_one_page_view_per_path_with_the_new_title(site: Site) -> None:
    tab = site.open("/spa", page_html(site.gateway.url, SITE_KEY))
    wait_for(lambda: stored(site.gateway, "site", "/spa"), lambda found: len(found) >= 1)
    tab.evaluate("""() => {
        history.pushState({}, '', '/spa/shirts'); document.title = 'Shirts';
        history.pushState({}, '', '/spa/shirts?sort=price');   // same path: no page view
        history.replaceState({}, '', '/spa/shirts?sort=name'); // a query string rewrite: none either
    }""")
    wait_for(lambda: stored(site.gateway, "site", "/spa"), lambda found: len(found) >= 2)
    tab.go_back()  # popstate to /spa/shirts?sort=price: the same path, no page view
    tab.go_back()  # popstate to /spa
    events = wait_for(lambda: stored(site.gateway, "site", "/spa"), lambda found: len(found) >= 3)
    settle()
    events = stored(site.gateway, "site", "/spa")
    assert [(e["name"], e["page"]["path"]) for e in events] == [
        ("PageView", "/spa"), ("PageView", "/spa/shirts"), ("PageView", "/spa")]
    assert events[1]["page"]["title"] == "Shirts", "the page view waits for the new title"


def test_set_page_reports_another_url_until_reset(site: Site) -> None:
    html = page_html(site.gateway.url, SITE_KEY, boot={"trackPageView": False}, after=(
        "tagway('setPage', 'http://shop.test/setpage/checkout/step-2'); tagway('track', 'AddPaymentInfoOpened');"
        "tagway('resetPage'); tagway('track', 'HelpOpened');"))
    site.open("/setpage/app", html)
    events = wait_for(lambda: stored(site.gateway, "site", "/setpage"), lambda found: len(found) >= 2)
    assert [(e["name"], e["page"]["path"]) for e in events] == [
        ("AddPaymentInfoOpened", "/setpage/checkout/step-2"), ("HelpOpened", "/setpage/app")]


def test_offline_then_online_every_event_arrives_once(site: Site) -> None:
    tab = site.open("/offline", page_html(site.gateway.url, SITE_KEY, boot={"flushInterval": 50}))
    wait_for(lambda: stored(site.gateway, "site", "/offline"), lambda found: len(found) >= 1)
    site.context.set_offline(True)
    tab.evaluate("for (let i = 0; i < 5; i++) tagway('track', 'Step', {n: i})")
    tab.wait_for_function(f"{QUEUE}.length === 5")
    site.context.set_offline(False)
    events = wait_for(lambda: stored(site.gateway, "site", "/offline"), lambda found: len(found) >= 6)
    tab.wait_for_function(f"{QUEUE}.length === 0")
    assert names(events) == ["PageView"] + ["Step"] * 5
    assert sorted(e["properties"]["n"] for e in events[1:]) == [0, 1, 2, 3, 4]
    assert len({e["id"] for e in events}) == 6


def test_events_queued_when_the_page_is_hidden_are_sent_on_the_way_out(site: Site) -> None:
    # A minute between sends: only hiding the page can send these.
    tab = site.open("/hidden", page_html(site.gateway.url, SITE_KEY, boot={"flushInterval": 60_000}))
    tab.evaluate("tagway('track', 'CartOpened'); tagway('track', 'CheckoutClicked')")
    tab.close(run_before_unload=True)  # pagehide and visibilitychange: keepalive fetch
    events = wait_for(lambda: stored(site.gateway, "site", "/hidden"), lambda found: len(found) >= 3)
    assert Counter(names(events)) == {"PageView": 1, "CartOpened": 1, "CheckoutClicked": 1}


def test_a_queue_left_unsent_is_sent_by_the_next_page_and_stored_once(site: Site) -> None:
    # Offline and gone: the events wait in localStorage; the next page sends them (a repeat would be stored once).
    tab = site.open("/later", page_html(site.gateway.url, SITE_KEY, boot={"flushInterval": 60_000}))
    wait_for(lambda: stored(site.gateway, "site", "/later"), lambda found: len(found) >= 1)
    site.context.set_offline(True)
    tab.evaluate("tagway('track', 'WishlistAdded')")
    tab.close()  # waits until closed: its network requests (all failing offline) are over
    site.context.set_offline(False)
    site.open("/later/next", page_html(site.gateway.url, SITE_KEY, boot={"flushInterval": 50}))
    events = wait_for(lambda: stored(site.gateway, "site", "/later"), lambda found: len(found) >= 3)
    settle()
    assert Counter(names(stored(site.gateway, "site", "/later"))) == {"PageView": 2, "WishlistAdded": 1}
    assert len({e["id"] for e in events}) == len(events)


def test_a_full_storage_never_breaks_the_page_and_events_still_arrive(site: Site) -> None:
    fill = """try { for (let i = 0; ; i++) localStorage.setItem('filler' + i, 'x'.repeat(1 << 20)); } catch (e) {}
              try { for (let i = 0; ; i++) localStorage.setItem('small' + i, 'x'.repeat(1024)); } catch (e) {}"""
    tab = site.open("/full", page_html(site.gateway.url, SITE_KEY, before=fill,
                                       after="tagway('track', 'SizeChartOpened')"))
    events = wait_for(lambda: stored(site.gateway, "site", "/full"), lambda found: len(found) >= 2)
    assert names(events) == ["PageView", "SizeChartOpened"]
    assert tab.evaluate("document.body.textContent") == "shop"


def test_a_blocked_storage_never_breaks_the_page_and_events_still_arrive(site: Site) -> None:
    # As with cookies blocked in the browser's settings: reading localStorage throws a SecurityError.
    site.context.add_init_script("""Object.defineProperty(window, 'localStorage', {get() {
        throw new DOMException('The operation is insecure.', 'SecurityError'); }});""")
    site.open("/blocked", page_html(site.gateway.url, SITE_KEY, after="tagway('track', 'SizeChartOpened')"))
    events = wait_for(lambda: stored(site.gateway, "site", "/blocked"), lambda found: len(found) >= 2)
    assert names(events) == ["PageView", "SizeChartOpened"]
    assert events[0]["user"]["anonymousId"] == events[1]["user"]["anonymousId"], "the cookie still keeps the id"


def test_consent_denied_sends_and_writes_nothing_until_granted(site: Site) -> None:
    tab = site.open("/consent", page_html(site.gateway.url, SITE_KEY, boot={"consent": "denied"},
                                          after="tagway('track', 'BeforeConsent')"))
    tab.wait_for_function("typeof tagway === 'function' && tagway.loaded")
    assert tab.evaluate("[localStorage.length, document.cookie]") == [0, ""]
    tab.evaluate("tagway('consent', {analytics: 'granted'}); tagway('track', 'AfterConsent')")
    events = wait_for(lambda: stored(site.gateway, "site", "/consent"), lambda found: len(found) >= 1)
    settle()
    assert names(stored(site.gateway, "site", "/consent")) == ["AfterConsent"]
    assert tab.evaluate("localStorage.getItem('tw_aid')") == events[0]["user"]["anonymousId"]


def test_consent_pending_holds_events_in_memory_and_sends_them_once_granted(site: Site) -> None:
    tab = site.open("/pending", page_html(site.gateway.url, SITE_KEY, boot={"consent": "pending"},
                                          after="tagway('track', 'BannerShown')"))
    tab.wait_for_function("typeof tagway === 'function' && tagway.loaded")
    assert tab.evaluate("[localStorage.length, document.cookie]") == [0, ""]
    tab.evaluate("tagway('consent', {analytics: 'granted'})")
    events = wait_for(lambda: stored(site.gateway, "site", "/pending"), lambda found: len(found) >= 2)
    assert names(events) == ["PageView", "BannerShown"]


def test_names_over_30_characters_are_refused_in_the_console_and_not_sent(site: Site) -> None:
    long_name = "CustomerOpenedTheSizeChartTwice"  # 31 characters
    tab = site.open("/names", page_html(site.gateway.url, SITE_KEY, after=(
        f"tagway('track', '{long_name}'); tagway('track', 'SizeChartOpened')")))
    wait_for(lambda: stored(site.gateway, "site", "/names"), lambda found: len(found) >= 2)
    tab.evaluate("tagway('track', 'Sentinel')")
    events = wait_for(lambda: stored(site.gateway, "site", "/names"), lambda found: len(found) >= 3)
    assert names(events) == ["PageView", "SizeChartOpened", "Sentinel"]
    assert any(long_name in warning and "not sent" in warning for warning in site.warnings)


def test_a_valid_member_hash_marks_the_member_verified(site: Site) -> None:
    site.open("/member-ok", page_html(site.gateway.url, MEMBERS_KEY, boot={
        "memberId": "lucas", "memberHash": MEMBER_HASH, "profile": {"plan": "pro"}}))
    events = wait_for(lambda: stored(site.gateway, "members", "/member-ok"), lambda found: len(found) >= 2)
    assert Counter(names(events)) == {"ProfileUpdate": 1, "PageView": 1}
    for event in events:
        assert event["user"]["memberId"] == "lucas" and event["user"]["memberVerified"] is True
    assert next(e for e in events if e["name"] == "ProfileUpdate")["user"]["traits"] == {"plan": "pro"}


def test_a_wrong_member_hash_stores_the_event_without_the_member_and_says_why(site: Site) -> None:
    tab = site.open("/member-bad", page_html(site.gateway.url, MEMBERS_KEY, boot={
        "memberId": "lucas", "memberHash": "00" * 32}))
    events = wait_for(lambda: stored(site.gateway, "members", "/member-bad"), lambda found: len(found) >= 1)
    tab.wait_for_function(f"!{QUEUE}.length")  # answered, and seen here
    assert names(events) == ["PageView"]
    assert "memberId" not in events[0]["user"] and "memberVerified" not in events[0]["user"]
    [result] = next(a for a in site.collect_answers() if a.get("results"))["results"]
    assert result["status"] == "stored"
    assert result["dropped"][0]["field"] == "batch[0].memberHash"
    rejection = requests.get(f"{site.gateway.url}/v1/rejections/{result['rejectionId']}", headers=ADMIN,
                             timeout=10).json()
    assert rejection["reason"] == "dropped" and rejection["sourceId"] == "members"
    assert "without its member id" in rejection["problems"][0]["expectation"]


def test_without_fetch_the_events_left_on_the_way_out_go_by_send_beacon(site: Site) -> None:
    # A browser without fetch (or one whose keepalive budget is spent): navigator.sendBeacon carries them.
    site.context.add_init_script("delete window.fetch")
    tab = site.open("/beacon", page_html(site.gateway.url, SITE_KEY, boot={"flushInterval": 60_000}))
    assert tab.evaluate("typeof window.fetch") == "undefined"
    tab.evaluate("tagway('track', 'CartOpened')")
    tab.close(run_before_unload=True)
    events = wait_for(lambda: stored(site.gateway, "site", "/beacon"), lambda found: len(found) >= 2)
    assert Counter(names(events)) == {"PageView": 1, "CartOpened": 1}


def test_the_persisted_queue_never_grows_past_its_caps(site: Site) -> None:
    tab = site.open("/caps", page_html(site.gateway.url, SITE_KEY, boot={"trackPageView": False}))
    site.context.set_offline(True)
    tab.evaluate("for (let i = 0; i < 150; i++) tagway('track', 'Scrolled', {n: i, text: 'x'.repeat(300)})")
    queue = tab.evaluate(QUEUE)
    size = tab.evaluate(f"JSON.stringify({QUEUE}).length")  # the characters it takes, as one list would
    assert len(queue) <= 100 and size <= 64_000, "the host site's storage is not the SDK's to fill"
    assert queue[-1]["properties"]["n"] == 149, "the newest events are the ones kept"
    site.context.set_offline(False)


def test_reset_on_logout_forgets_the_member_and_starts_a_new_anonymous_id(site: Site) -> None:
    site.open("/logout", page_html(site.gateway.url, SITE_KEY, boot={"memberId": "member-7", "trackPageView": False},
                                   after="tagway('track', 'LoggedOut'); tagway('reset'); tagway('track', 'Browsed')"))
    events = wait_for(lambda: stored(site.gateway, "site", "/logout"), lambda found: len(found) >= 2)
    before, after = events
    assert before["user"]["memberId"] == "member-7" and "memberId" not in after["user"]
    assert before["user"]["anonymousId"] != after["user"]["anonymousId"]
    assert next(c for c in site.context.cookies() if c["name"] == "tw_aid")["value"] == after["user"]["anonymousId"]
