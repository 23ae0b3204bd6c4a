"""The console in a real Chromium against a real gateway under gunicorn: what a person sees and does.

Screenshots of each page are written to artifacts/console/; the live events one also to docs/console.png.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright import sync_api

from tests.console.conftest import GTM_WRITE_KEY, ROOT, console_config
from tests.support.gateway import ADMIN, ADMIN_TOKEN, WRITE, WRITE_KEY
from tests.support.receiver import Receiver
from tests.support.server import RunningGateway, serving, write_config

expect = sync_api.expect

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "artifacts" / "console"
# The README's picture is rewritten only on request (TAGWAY_UPDATE_SCREENSHOTS=1): a test run
# must not change tracked files.
README_SCREENSHOT = ROOT / "docs" / "console.png" if os.environ.get("TAGWAY_UPDATE_SCREENSHOTS") else None
# Debian's Chromium on this machine: no sandbox (root, containers), no GPU, and nothing that calls out.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """The CRM webhook: it refuses (410 Gone) until a test fixes it."""
    server = Receiver(default_status=410)
    yield server
    server.close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("console")
    config = write_config(directory / "tagway.toml", console_config(directory / "console.db", receiver.url))
    with serving(config, directory / "gateway.log", workers=2) as running:
        yield running
    log = running.log()
    for secret in (ADMIN_TOKEN, WRITE_KEY, GTM_WRITE_KEY):
        assert secret not in log, "a secret reached the gateway's log"


@pytest.fixture(scope="module")
def browser_context(chromium: Path) -> Iterator[Any]:
    """One Chromium with a fresh profile for the module; each test starts signed out."""
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="tagway-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True, viewport=DESKTOP,
            locale="en-GB", timezone_id="UTC")
        context.set_default_timeout(WAIT_MS)
        yield context
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    tab.set_viewport_size(DESKTOP)
    yield tab
    tab.close()


def screenshot(page: Any, name: str, also: Path | None = None) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if also is not None:
        also.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(also))


def sign_in(page: Any, gateway: RunningGateway, path: str = "/console/live") -> None:
    page.goto(gateway.url + path)
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(gateway.url + path)


def send(gateway: RunningGateway, event: dict[str, Any]) -> requests.Response:
    return requests.post(f"{gateway.url}/v1/events", json=event, headers=WRITE, timeout=10)


def pixel(gateway: RunningGateway, payload: dict[str, Any]) -> None:
    """What the GTM web tag sends: GET /v1/collect with the write key and the base64 payload."""
    data = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    response = requests.get(f"{gateway.url}/v1/collect", params={"k": GTM_WRITE_KEY, "v": 1, "d": data}, timeout=10)
    assert response.status_code == 200 and "X-Tagway-Problem" not in response.headers, response.headers


def open_live(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/live")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def test_a_wrong_token_is_refused_and_the_right_one_signs_in(page: Any, gateway: RunningGateway) -> None:
    page.goto(gateway.url + "/console/sources")
    expect(page).to_have_url(gateway.url + "/console/login?next=%2Fconsole%2Fsources")
    screenshot(page, "login")
    page.get_by_label("Admin token").fill("adm_wrong_0123456789abcdefghij")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not the admin token")
    assert "adm_wrong_0123456789abcdefghij" not in page.content()
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(gateway.url + "/console/sources")
    expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(gateway.url + "/console/login")
    page.goto(gateway.url + "/console/live")
    expect(page).to_have_url(gateway.url + "/console/login?next=%2Fconsole%2Flive")


def test_an_event_sent_to_the_api_appears_live_without_reloading(page: Any, gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:6]}"
    open_live(page, gateway)
    page.evaluate("window.notReloaded = true")
    assert send(gateway, {"name": "PageView", "user": {"anonymousId": visitor},
                          "page": {"url": "https://shop.example.com/shoes?utm_source=newsletter"}}).status_code == 200
    row = page.locator("#live-rows li", has_text=visitor)
    expect(row).to_contain_text("PageView")
    expect(row).to_contain_text("https://shop.example.com/shoes")
    assert send(gateway, {"name": "AddToCart", "user": {"anonymousId": visitor},
                          "commerce": {"currency": "EUR", "value": 59.9,
                                       "items": [{"id": "SKU-1", "name": "Trail shoe", "price": 59.9,
                                                  "quantity": 1}]}}).status_code == 200
    assert send(gateway, {"name": "Purchase", "user": {"anonymousId": visitor},
                          "commerce": {"currency": "EUR", "value": 59.9}}).status_code == 400
    pixel(gateway, {"v": 1, "id": uuid.uuid4().hex, "event": "gtm.js", "user": {"anonymousId": visitor},
                    "page": {"url": "https://shop.example.com/?gclid=abc", "title": "Home"}})
    expect(page.locator("#live-rows li", has_text="AddToCart")).to_contain_text(visitor)
    expect(page.locator("#live-rows li", has_text="Rejected")).to_contain_text("commerce.orderId")
    expect(page.locator("#live-rows li", has_text="gtm")).to_contain_text("https://shop.example.com/")
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_timeout(1600)  # the highlight of new rows fades first
    screenshot(page, "live-events", also=README_SCREENSHOT)


def test_filters_keep_only_the_matching_rows(page: Any, gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:6]}"
    open_live(page, gateway)
    page.get_by_label("User").fill(visitor)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    send(gateway, {"name": "Lead", "user": {"anonymousId": "someone-else"}})
    send(gateway, {"name": "SignUp", "user": {"anonymousId": visitor}})
    expect(page.locator("#live-rows li")).to_have_count(1)
    expect(page.locator("#live-rows li")).to_contain_text("SignUp")


def test_a_bad_event_opens_on_its_reason(page: Any, gateway: RunningGateway) -> None:
    order = uuid.uuid4().hex[:8]
    open_live(page, gateway)
    response = send(gateway, {"name": "Purchase", "user": {"memberId": f"member-{order}"},
                              "commerce": {"orderId": order, "value": "a lot", "currency": "EUR"}})
    assert response.status_code == 400
    row = page.locator("#live-rows li", has_text=f"member-{order}")
    expect(row).to_contain_text("Rejected")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejected: The event does not match the canonical event")
    problem = page.locator("table.problems tbody tr", has_text="commerce.value")
    expect(problem.locator("td").nth(1)).to_have_text('"a lot"')
    expect(problem.locator("td").nth(2)).not_to_be_empty()
    expect(page.locator("#raw-heading")).to_have_text("What was received")
    screenshot(page, "rejection")


def test_an_event_opens_beside_the_request_it_came_from(page: Any, gateway: RunningGateway) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:6]}"
    open_live(page, gateway)
    pixel(gateway, {"v": 1, "id": uuid.uuid4().hex, "event": "gtm.js", "user": {"anonymousId": visitor},
                    "page": {"url": "https://shop.example.com/shoes?gclid=abc&color=red", "title": "Shoes"}})
    page.locator("#live-rows li", has_text=visitor).get_by_role("link").click()
    expect(page.locator("#raw-heading")).to_have_text("What was received")
    expect(page.locator("#canonical-event")).to_contain_text('"canonicalUrl": "https://shop.example.com/shoes?color=red"')
    raw = page.locator("section", has=page.locator("#raw-heading"))
    expect(raw).to_contain_text("GET /v1/collect")
    expect(raw.locator("dl.pairs dd").first).to_have_text("***")  # k, the write key, masked
    assert GTM_WRITE_KEY not in page.content()
    screenshot(page, "event")


def test_the_checker_shows_the_canonical_url_and_its_rules(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/checker")
    page.get_by_label("Page address").fill("https://Shop.Example.com/shoes/?utm_source=mail&size=42&fbclid=x#reviews")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#canonical-url")).to_have_text("https://shop.example.com/shoes/?size=42")
    for rule in ("lowercase-scheme-and-host", "drop-tracking-params", "drop-fragment"):
        expect(page.locator("#rules")).to_contain_text(rule)
    expect(page.locator("#dropped")).to_contain_text("utm_source, fbclid")
    screenshot(page, "checker")
    page.get_by_label("Page address").fill("shop.example.com/shoes")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("alert")).to_contain_text("must be a full address starting with http:// or https://")


def test_a_dead_letter_is_replayed_after_confirmation(page: Any, gateway: RunningGateway, receiver: Receiver) -> None:
    order = uuid.uuid4().hex[:8]
    assert send(gateway, {"id": f"purchase-{order}", "name": "Purchase", "user": {"memberId": "m-1"},
                          "commerce": {"orderId": order, "value": 12, "currency": "EUR"}}).status_code == 200
    wait_for(lambda: counts(gateway)["dead"] >= 1, "the CRM webhook's 410 to make a dead letter")
    before = counts(gateway)
    sign_in(page, gateway, "/console/deliveries")
    letter = page.locator(".dead-letter", has_text=order)
    expect(letter).to_contain_text("Last error: webhook answered 410")
    expect(page.locator("#counts-crm [data-status=dead]")).to_have_text(str(before["dead"]))
    screenshot(page, "deliveries")
    letter.get_by_role("link", name="Replay this delivery…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Replay this dead letter?")
    assert counts(gateway)["dead"] == before["dead"], "asking for confirmation replays nothing"
    receiver.default_status = 200  # the CRM is fixed
    page.get_by_role("button", name="Yes, replay 1").click()
    expect(page.locator("#replayed")).to_contain_text("1 delivery queued again for crm")
    wait_for(lambda: counts(gateway)["delivered"] == before["delivered"] + 1, "the replayed delivery")
    page.reload()
    expect(page.locator("#counts-crm [data-status=dead]")).to_have_text(str(before["dead"] - 1))
    expect(page.locator("#counts-crm [data-status=delivered]")).to_have_text(str(before["delivered"] + 1))
    expect(page.locator(".dead-letter", has_text=order)).to_have_count(0)
    receiver.default_status = 410


def counts(gateway: RunningGateway) -> dict[str, int]:
    body = requests.get(f"{gateway.url}/v1/deliveries", headers=ADMIN, timeout=10).json()
    return next(d["counts"] for d in body["destinations"] if d["id"] == "crm")


def wait_for(condition: Any, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_the_write_key_stays_out_of_the_sources_page_until_revealed(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/sources")
    source = page.locator("section.source", has=page.locator("#source-gtm"))
    expect(source.get_by_label("Gateway URL")).to_have_value("https://gateway.example.com")
    expect(source.locator(".steps li")).to_have_count(3)
    for secret in (GTM_WRITE_KEY, WRITE_KEY, ADMIN_TOKEN):
        assert secret not in page.content()
    screenshot(page, "sources")
    value = source.locator("#secret-gtm-write_key")
    source.get_by_role("button", name="Reveal").click()
    expect(value).to_have_text(GTM_WRITE_KEY)
    source.get_by_role("button", name="Hide").click()
    expect(value).to_have_text("wk_gtm…")


def test_a_post_without_the_csrf_token_is_refused_even_with_the_session(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/checker")
    api = page.context.request
    assert api.get(gateway.url + "/console/api/live/recent").status == 200  # the session cookie goes along
    for path, form in (("/console/checker", {"url": "https://shop.example.com/"}),
                       ("/console/deliveries/replay", {"destination": "crm"}),
                       ("/console/api/sources/gtm/secrets/write_key", {}), ("/console/logout", {})):
        response = api.post(gateway.url + path, form=form)
        assert response.status == 403, path
        assert GTM_WRITE_KEY not in response.text()
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    allowed = api.post(gateway.url + "/console/api/sources/gtm/secrets/write_key", headers={"X-CSRF-Token": csrf})
    assert allowed.status == 200


def test_another_site_cannot_act_with_the_session(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/live")
    # A page from elsewhere posts a form at the console: SameSite=Strict keeps the cookie home.
    page.goto("about:blank")
    page.set_content(f'<form method="post" action="{gateway.url}/console/logout"><button>Win</button></form>')
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Win").click()
    assert navigation.value.status == 401
    page.goto(gateway.url + "/console/live")
    expect(page).to_have_url(gateway.url + "/console/live")  # still signed in


def console_cookie(page: Any) -> str:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "tagway_console"]
    return str(cookie["value"])


def shows_console_with(gateway: RunningGateway, cookie: str) -> bool:
    """Whether a request presenting this session cookie (another browser, a stolen copy) gets a page."""
    response = requests.get(gateway.url + "/console/live", headers={"Cookie": f"tagway_console={cookie}"},
                            allow_redirects=False, timeout=10)
    return response.status_code == 200


def test_signing_out_makes_a_copy_of_the_cookie_worthless(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/live")
    copied = console_cookie(page)
    assert shows_console_with(gateway, copied)  # on whichever of the two workers answers
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(gateway.url + "/console/login")
    assert not shows_console_with(gateway, copied)


def test_signing_out_everywhere_signs_out_the_other_browsers(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/live")
    other = console_cookie(page)
    page.context.clear_cookies()
    sign_in(page, gateway, "/console/live")  # this browser's own session, the other one still open
    assert console_cookie(page) != other and shows_console_with(gateway, other)
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(gateway.url + "/console/login")
    assert not shows_console_with(gateway, other)
    page.goto(gateway.url + "/console/live")
    expect(page.get_by_label("Admin token")).to_be_visible()


def test_pages_fit_a_phone_and_work_from_the_keyboard(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/live")
    page.set_viewport_size(PHONE)
    long_url = "https://shop.example.com/" + "very-long-path-segment/" * 8 + "?utm_source=" + "x" * 80
    for name, path in (("live", "/console/live"), ("sources", "/console/sources"), ("checker", "/console/checker"),
                       ("deliveries", "/console/deliveries")):
        page.goto(gateway.url + path)
        if name == "checker":
            page.get_by_label("Page address").fill(long_url)
            page.keyboard.press("Enter")
            expect(page.locator("#canonical-url")).to_be_visible()
        if name == "live":
            expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(page, f"phone-{name}")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "Skip to the content", f"{path}: the first Tab goes to {focused!r}"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
