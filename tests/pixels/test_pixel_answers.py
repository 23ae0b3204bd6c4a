"""The pixels read the gateway's answer (CORS for any origin): a 503 is sent again until stored, a 400 never.

Real Chromium runs the Shopify custom pixel as `tagway sources add` prints it, against the real gateway
(gunicorn). The 503 is the real one: the test holds the SQLite writers' lock longer than the gateway waits
for it (storage unavailable, Retry-After: 1), then lets go. A pixel source has no required setting that
could leave it pending, which answers the same 503 with Retry-After: 60.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from html import escape
from typing import Any

import pytest
import requests

from tests.pixels.conftest import PIXEL_SOURCES, RATE_LIMITED
from tests.pixels.shop import ShopServer, stored_events, wait_until
from tests.pixels.test_shopify_pixel import ADDED, GRANTED, SOURCE, event, open_shop
from tests.support.gateway import ADMIN
from tests.support.server import RunningGateway

pytestmark = pytest.mark.e2e
PENDING = "localStorage.getItem('tagway_pixel_pending')"


@pytest.fixture
def writers_lock(pixel_gateway: RunningGateway) -> Iterator[sqlite3.Connection]:
    """The gateway's SQLite database with the writers' lock held by the test (released at the end at the latest)."""
    assert pixel_gateway.config_path is not None
    connection = sqlite3.connect(pixel_gateway.config_path.parent / "pixels.db", isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()


def kept_ids(page: Any) -> list[str]:
    """The ids of the events the pixel keeps to send again."""
    return [envelope["event"]["id"] for envelope in json.loads(page.evaluate(PENDING) or "[]")]


def test_a_503_is_sent_again_until_the_event_is_stored_once(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any,
        writers_lock: sqlite3.Connection) -> None:
    page, posts = open_shop(browser_context, shop, pixel_gateway, GRANTED, "/answers/busy")
    page.evaluate("e => shopifyEmit(e)", event("product_added_to_cart", ADDED, "sh-busy-added"))
    wait_until(lambda: 503 in posts.statuses(), "the gateway to answer 503 (storage unavailable)", page)
    assert kept_ids(page) == ["sh-busy-added"], "an answered 503 is kept to be sent again"
    assert not [e for e in stored_events(pixel_gateway.url, SOURCE) if e["id"] == "sh-busy-added"]

    writers_lock.execute("ROLLBACK")  # the database is back
    stored = wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE) if e["id"] == "sh-busy-added"],
                        "the event to be stored once the database is back", page)
    wait_until(lambda: kept_ids(page) == [], "the kept event to be forgotten once stored", page)
    assert len(stored) == 1 and stored[0]["name"] == "AddToCart"
    statuses = posts.statuses()
    assert statuses[-1] == 200 and set(statuses[:-1]) == {503}, statuses
    page.close()


def test_a_429_is_sent_again_after_the_retry_after_the_page_can_read(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_shop(browser_context, shop, pixel_gateway, GRANTED, "/answers/limited", RATE_LIMITED[1])
    page.evaluate("e => shopifyEmit(e)", event("page_viewed", {}, "sh-limited-first"))
    page.evaluate("e => shopifyEmit(e)", event("product_added_to_cart", ADDED, "sh-limited-second"))
    wait_until(lambda: 429 in posts.statuses(), "the source's rate limit to answer 429", page)
    limited = posts.statuses().index(429)
    assert posts.retry_afters()[limited] is not None, "Retry-After is exposed to the page"
    stored = wait_until(lambda: len({e["id"] for e in stored_events(pixel_gateway.url, RATE_LIMITED[0])
                                     if e["id"].startswith("sh-limited")}) == 2 and
                        stored_events(pixel_gateway.url, RATE_LIMITED[0]), "both events, the limited one sent again",
                        page)
    assert sorted(e["id"] for e in stored) == ["sh-limited-first", "sh-limited-second"], "each stored once"
    wait_until(lambda: kept_ids(page) == [], "the kept event to be forgotten once stored", page)
    page.close()


def test_a_400_is_not_sent_again_and_the_gateway_keeps_it(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    page, posts = open_shop(browser_context, shop, pixel_gateway, GRANTED, "/answers/refused")
    wrong = json.loads(json.dumps(ADDED))
    wrong["cartLine"]["merchandise"]["price"]["amount"] = "twenty-five"
    page.evaluate("e => shopifyEmit(e)", event("product_added_to_cart", wrong, "sh-refused-added"))
    wait_until(posts.settled, "the refused post to be answered", page)
    assert posts.statuses() == [400]
    assert kept_ids(page) == [], "a 400 is final: nothing is kept to be sent again"

    page.evaluate("e => shopifyEmit(e)", event("page_viewed", {}, "sh-refused-next"))
    wait_until(lambda: [e for e in stored_events(pixel_gateway.url, SOURCE) if e["id"] == "sh-refused-next"],
               "the next event", page)
    wait_until(posts.settled, "the posts to be answered", page)
    assert posts.statuses() == [400, 200], "the refused event was posted once"
    rejections = requests.get(f"{pixel_gateway.url}/v1/rejections", params={"source": SOURCE}, headers=ADMIN,
                              timeout=10).json()
    assert any("merchandise.price.amount" in json.dumps(item) for item in rejections["items"]), \
        "the refusal is kept, with its input, to replay"
    page.close()


def test_the_answer_is_readable_from_a_sandbox_whose_origin_is_null(
        pixel_gateway: RunningGateway, shop: ShopServer, browser_context: Any) -> None:
    # Shopify runs custom pixels in a sandboxed iframe: its requests carry `Origin: null`.
    endpoint = json.dumps(f"{pixel_gateway.url}/v1/collect?k={PIXEL_SOURCES[SOURCE][1]}")
    inner = ("<script>fetch(" + endpoint + ", {method: 'POST', credentials: 'omit', body: 'not json', "
             "headers: {'Content-Type': 'text/plain'}}).then(function (r) { parent.postMessage({status: r.status}, "
             "'*'); }, function (e) { parent.postMessage({error: String(e)}, '*'); });</script>")
    html = ("<!doctype html><html><body><script>window.answers = []; addEventListener('message', "
            "function (m) { window.answers.push(m.data); });</script>"
            f'<iframe sandbox="allow-scripts" srcdoc="{escape(inner)}"></iframe></body></html>')
    page = browser_context.new_page()
    page.goto(shop.page("/answers/sandbox", html))
    [answer] = wait_until(lambda: page.evaluate("window.answers"), "the sandbox's answer", page)
    assert answer.get("status") == 400, answer  # read, not opaque: a malformed body is refused for good
    page.close()
