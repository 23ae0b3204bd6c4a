"""The console's People pages in a real Chromium against `tagway serve`: the journey before a chat is shown."""

from __future__ import annotations

import base64
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright import sync_api

from tests.console.conftest import chromium  # noqa: F401 (the fixture)
from tests.console.test_browser import CHROMIUM_ARGS, DESKTOP, PHONE, WAIT_MS, screenshot, sign_in
from tests.people.support import ADMIN, BROWSER_KEY, people_config
from tests.support.server import RunningGateway, serving, write_config

expect = sync_api.expect
pytestmark = pytest.mark.e2e


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[RunningGateway]:
    config = people_config(f"sqlite:///{tmp_path / 'people.db'}")
    config["delivery"] = {"poll_seconds": 0.05}
    with serving(write_config(tmp_path / "tagway.toml", config), tmp_path / "gateway.log", workers=1) as running:
        yield running


@pytest.fixture
def page(chromium: Path) -> Iterator[Any]:  # noqa: F811 (the imported fixture)
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="tagway-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True, viewport=DESKTOP,
            locale="en-GB", timezone_id="UTC")
        context.set_default_timeout(WAIT_MS)
        yield context.new_page()
        context.close()


def pixel(gateway: RunningGateway, push_id: str, event: str, url: str, referrer: str | None = None) -> None:
    """What the GTM web tag sends for a dataLayer push."""
    page = {"url": url, "title": url.rsplit("/", 1)[-1] or "home", **({"referrer": referrer} if referrer else {})}
    payload = {"v": 1, "id": push_id, "event": event, "data": {"event": event}, "page": page,
               "user": {"anonymousId": "browser-42"}}
    data = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    response = requests.get(f"{gateway.url}/v1/collect", params={"k": BROWSER_KEY, "v": 1, "d": data}, timeout=10)
    assert response.status_code == 200 and "X-Tagway-Problem" not in response.headers, response.headers


def test_the_person_page_shows_the_pages_before_the_chat(gateway: RunningGateway, page: Any) -> None:
    pixel(gateway, "p1", "gtm.js", "https://shop.example.com/?utm_source=naver&utm_medium=cpc",
          referrer="https://search.naver.com/")
    pixel(gateway, "p2", "gtm.js", "https://shop.example.com/products/wool-coat")
    pixel(gateway, "p3", "gtm.js", "https://shop.example.com/faq/shipping")
    pixel(gateway, "c1", "chat_open", "https://shop.example.com/faq/shipping")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the gateway's own worker links the events
        found = requests.get(f"{gateway.url}/v1/people", params={"identifier": "browser-42"}, headers=ADMIN,
                             timeout=10).json()["items"]
        if found and found[0]["counts"]["events"] == 4:
            break
        time.sleep(0.1)

    sign_in(page, gateway, "/console/people")
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    page.get_by_label("Anonymous id, member id, e-mail or phone").fill("browser-42")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#found")).to_contain_text("1 person")
    page.get_by_role("link", name="Anonymous visitor").click()
    journey = page.locator(".journey")
    expect(journey).to_contain_text("Before the chat")
    expect(journey).to_contain_text("opened on https://shop.example.com/faq/shipping")
    expect(journey.locator("li")).to_have_count(3)
    expect(journey.locator("li").first).to_contain_text("https://shop.example.com/?utm_source=naver&utm_medium=cpc")
    expect(page.locator(".timeline li.before-chat")).to_have_count(3)
    expect(page.locator(".timeline li.chat")).to_contain_text("UserChatOpen")
    expect(page.locator(".session")).to_contain_text("from https://search.naver.com/")
    screenshot(page, "person")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the person page scrolls sideways on a phone ({width}px)"
    screenshot(page, "phone-person")
    page.set_viewport_size(DESKTOP)
    page.locator(".timeline li.chat a").click()
    expect(page.locator("#event-person")).to_contain_text("This customer's timeline")
