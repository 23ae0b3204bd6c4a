"""The shop owner's console in a real Chromium against a real gateway under gunicorn: the pre-filled GTM
template, the read-only viewer link, replaying a rejection from its page, times with their zone, and the
polish (no 404 for a favicon, a short header and wrapped request headers on a phone)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright import sync_api

from tests.console.conftest import GTM_WRITE_KEY, console_config
from tests.console.test_browser import CHROMIUM_ARGS, DESKTOP, PHONE, WAIT_MS, pixel, screenshot, send, sign_in
from tests.console.test_template_download import defaults
from tests.support.gateway import ADMIN_TOKEN, OTHER_WRITE_KEY, WRITE_KEY
from tests.support.receiver import Receiver
from tests.support.server import RunningGateway, serving, write_config

expect = sync_api.expect
pytestmark = pytest.mark.e2e
SECRETS = (ADMIN_TOKEN, WRITE_KEY, OTHER_WRITE_KEY)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("owner-console")
    receiver = Receiver(default_status=200)
    config = write_config(directory / "tagway.toml", console_config(directory / "console.db", receiver.url))
    try:
        with serving(config, directory / "gateway.log", workers=2) as running:
            yield running
    finally:
        receiver.close()
    log = running.log()
    for secret in (*SECRETS, GTM_WRITE_KEY):
        assert secret not in log, "a secret reached the gateway's log"
    assert "vw_" not in log, "a viewer link's token reached the gateway's log"


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def new_page(browser: Any, timezone: str = "UTC", viewport: dict[str, int] = DESKTOP) -> Any:
    """A tab in a fresh browser profile (its own cookies): the admin's, or the shop owner's."""
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id=timezone, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = new_page(browser)
    yield tab
    tab.context.close()


def test_the_gtm_template_downloads_with_the_sources_url_and_key(page: Any, gateway: RunningGateway,
                                                                 tmp_path: Path) -> None:
    sign_in(page, gateway, "/console/sources/gtm/template")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Google Tag Manager template for Shop website")
    screenshot(page, "gtm-template")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download template.tpl").click()
    download = waiting.value
    assert download.suggested_filename == "tagway-gtm-template.tpl"
    saved = tmp_path / "template.tpl"
    download.save_as(saved)
    filled = defaults(saved.read_text(encoding="utf-8"))
    assert filled["gatewayUrl"] == "https://gateway.example.com" and filled["writeKey"] == GTM_WRITE_KEY
    assert GTM_WRITE_KEY not in page.content(), "the key is in the file, not on the page"


def make_viewer_link(page: Any, gateway: RunningGateway) -> str:
    sign_in(page, gateway, "/console/sources/gtm/share")
    page.get_by_label("Who it is for").fill("Ada, shop owner")
    page.get_by_role("button", name="Make a viewer link").click()
    link = page.get_by_label("Viewer link").input_value()
    assert link.startswith("https://gateway.example.com/console/view#vw_")
    screenshot(page, "share")
    return str(link)


def test_a_viewer_link_shows_its_source_live_and_nothing_of_the_admins(browser: Any, page: Any,
                                                                       gateway: RunningGateway) -> None:
    link = make_viewer_link(page, gateway)
    owner = new_page(browser)
    try:
        # The link names the public address; this gateway listens on a local port.
        owner.goto(link.replace("https://gateway.example.com", gateway.url))
        expect(owner).to_have_url(gateway.url + "/console/view")  # the token left the address bar
        owner.get_by_role("button", name="Open the live events").click()
        expect(owner).to_have_url(gateway.url + "/console/live?source=gtm")
        expect(owner.locator("#live-status")).to_have_attribute("data-state", "live")
        expect(owner.locator("header")).to_contain_text("Read-only: Shop website")
        expect(owner.get_by_role("link", name="Sources")).to_have_count(0)
        mine, theirs = f"shopper-{uuid.uuid4().hex[:6]}", f"other-{uuid.uuid4().hex[:6]}"
        assert send(gateway, {"name": "Lead", "user": {"anonymousId": theirs}}).status_code == 200
        pixel(gateway, {"v": 1, "id": uuid.uuid4().hex, "event": "gtm.js", "user": {"anonymousId": mine},
                        "page": {"url": "https://shop.example.com/hats", "title": "Hats"}})
        expect(owner.locator("#live-rows li", has_text=mine)).to_contain_text("PageView")
        expect(owner.locator("#live-rows li", has_text=theirs)).to_have_count(0)
        screenshot(owner, "viewer-live")
        owner.locator("#live-rows li", has_text=mine).get_by_role("link").click()
        expect(owner.locator("#event-summary")).to_contain_text("Viewed a page")
        for secret in (*SECRETS, GTM_WRITE_KEY):
            assert secret not in owner.content()
        for path in ("/console/sources", "/console/deliveries", "/console/sources/gtm/share"):
            response = owner.goto(gateway.url + path)
            assert response is not None and response.status == 403, path
            expect(owner.get_by_role("heading", level=1)).to_have_text("This link does not open that")
        api = owner.context.request
        assert api.get(gateway.url + "/console/api/live/recent?source=web").status == 403
        assert api.get(gateway.url + "/v1/events").status == 401

        page.goto(gateway.url + "/console/sources/gtm/share")
        page.locator("li", has_text="Ada, shop owner").get_by_role("button", name="Revoke").click()
        expect(page.locator("li", has_text="Ada, shop owner")).to_contain_text("revoked")
        owner.goto(gateway.url + "/console/live")
        expect(owner.get_by_label("Admin token")).to_be_visible()  # the session ended with the link
    finally:
        owner.context.close()


def test_a_rejection_is_replayed_from_its_page(page: Any, gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:6]}"
    refused = requests.post(f"{gateway.url}/v1/events", json={"name": "Lead", "user": {"anonymousId": visitor}},
                            headers={"Authorization": "Bearer wk_an_old_key_0123456789"}, timeout=10)
    assert refused.status_code == 401
    sign_in(page, gateway, f"/console/rejections/{refused.json()['rejectionId']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejected: Missing or wrong write key")
    expect(page.locator("#how-to-fix")).to_contain_text("press Reveal beside the write key")
    page.get_by_label("Replay into source").select_option("web")
    page.get_by_role("button", name="Replay").click()
    expect(page.locator("#replay-outcome")).to_contain_text("Replayed: accepted 1, stored 1, rejected 0")
    screenshot(page, "rejection-replayed")
    page.get_by_role("link", name="See the live events").click()
    expect(page.locator("#live-rows li", has_text=visitor)).to_contain_text("Lead")


def test_times_show_the_readers_time_zone_by_name(browser: Any, gateway: RunningGateway) -> None:
    seoul = new_page(browser, timezone="Asia/Seoul")
    try:
        order = uuid.uuid4().hex[:6]
        assert send(gateway, {"name": "Purchase", "occurredAt": "2026-12-01T12:00:00.000Z",
                              "user": {"memberId": f"m-{order}"}, "properties": {"orderName": f"#{order}"},
                              "commerce": {"orderId": order, "value": 19.9, "currency": "EUR"}}).status_code == 200
        sign_in(seoul, gateway, "/console/live")
        seoul.locator("#live-rows li", has_text=f"m-{order}").get_by_role("link").click()
        summary = seoul.locator("#event-summary")
        expect(summary.locator("time").first).to_contain_text("21:00:00")  # 12:00 UTC is 21:00 in Seoul
        expect(summary.locator("time").first).to_contain_text("GMT+9")
        expect(summary.locator("dd", has_text=f"#{order}")).to_have_text(f"#{order}")
        expect(summary).to_contain_text("€19.90")
        screenshot(seoul, "event-summary")
    finally:
        seoul.context.close()


def test_the_console_asks_for_nothing_that_is_missing(page: Any, gateway: RunningGateway) -> None:
    asked: list[tuple[str, int]] = []
    page.on("response", lambda response: asked.append((response.url, response.status)))
    sign_in(page, gateway, "/console/sources")
    for path in ("/console/checker", "/console/deliveries", "/console/sources/gtm/template"):
        page.goto(gateway.url + path, wait_until="networkidle")
    assert any("favicon" in url for url, _ in asked), "the browser asked for the console's icon"
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    response = page.context.request.get(gateway.url + icon)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert [url for url, status in asked if status == 404] == []


def test_on_a_phone_the_header_is_short_and_every_page_link_reachable(browser: Any, gateway: RunningGateway) -> None:
    phone = new_page(browser, viewport=PHONE)
    try:
        sign_in(phone, gateway, "/console/deliveries")
        header = phone.locator("header.top").bounding_box()
        assert header is not None and header["height"] <= 0.12 * PHONE["height"], header
        for name in ("Live events", "Sources", "URL checker", "Deliveries"):
            link = phone.get_by_role("navigation").get_by_role("link", name=name)
            link.scroll_into_view_if_needed()
            expect(link).to_be_in_viewport()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "phone-header")
    finally:
        phone.context.close()


def test_long_request_headers_wrap_on_a_phone(browser: Any, gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:6]}"
    long_name = "X-" + "Very-Long-Header-Name-" * 6 + "End"
    response = requests.post(f"{gateway.url}/v1/events", data=json.dumps({"name": "Lead",
                                                                         "user": {"anonymousId": visitor}}),
                             headers={"Authorization": f"Bearer {WRITE_KEY}", "Content-Type": "application/json",
                                      long_name: "c2lnbmF0dXJl" * 40}, timeout=10)
    assert response.status_code == 200
    phone = new_page(browser, viewport=PHONE)
    try:
        sign_in(phone, gateway, "/console/live")
        phone.locator("#live-rows li", has_text=visitor).get_by_role("link").click()
        expect(phone.locator("dl.pairs dt", has_text="Very-Long-Header-Name")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "phone-long-headers")
    finally:
        phone.context.close()
