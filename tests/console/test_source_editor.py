"""Adding, completing, disabling and deleting sources in the console, in real Chromium against gunicorn.

What the shop owner relies on: a source made in the console takes events within seconds, on every
worker, without anybody restarting the gateway.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright import sync_api

from app.sources.catalog import REFRESH_SECONDS
from tests.console.conftest import console_config
from tests.console.test_browser import browser_context, page, screenshot, sign_in
from tests.support.platforms import shopify_order, until
from tests.support.receiver import Receiver
from tests.support.server import RunningGateway, serving, write_config

expect = sync_api.expect
pytestmark = pytest.mark.e2e
__all__ = ["browser_context", "page"]  # fixtures shared with the console's other browser tests

SECRET = "shpss_console_0123456789abcdef"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("source-editor")
    receiver = Receiver()
    config = write_config(directory / "tagway.toml", console_config(directory / "console.db", receiver.url))
    with serving(config, directory / "gateway.log", workers=2) as running:
        yield running
    receiver.close()
    assert SECRET not in running.log(), "a secret typed in the console reached the log"


def pixel(gateway: RunningGateway, key: str, event_id: str) -> requests.Response:
    payload = {"v": 1, "id": event_id, "event": "chat_open", "data": {"event": "chat_open"},
               "page": {"url": "https://shop.example.com/", "title": "Home"}}
    data = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return requests.get(f"{gateway.url}/v1/collect", params={"k": key, "v": 1, "d": data}, timeout=10)


def order(gateway: RunningGateway, source_id: str) -> requests.Response:
    body, headers = shopify_order(SECRET)
    return requests.post(f"{gateway.url}/v1/webhooks/{source_id}", data=body, headers=headers, timeout=10)


def add_source(page: Any, platform: str, source_id: str, title: str) -> Any:
    page.locator("details.add-source summary").click()
    page.get_by_label("Platform", exact=True).select_option(platform)
    page.locator("#add-id").fill(source_id)
    page.locator("#add-title").fill(title)
    page.get_by_role("button", name="Add the source").click()
    return page.locator("section.source", has=page.locator(f"#source-{source_id}"))


def test_a_source_added_in_the_console_takes_events_within_seconds(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/sources")
    section = add_source(page, "gtm", "new-site", "New shop website")
    expect(section.get_by_label("Gateway URL")).to_have_value("https://gateway.example.com")
    section.get_by_role("button", name="Reveal").first.click()
    key_shown = section.locator("#secret-new-site-write_key")
    expect(key_shown).to_have_text(re.compile(r"^wk_[\w-]{20,}$"))
    write_key = key_shown.text_content() or ""
    screenshot(page, "source-added")
    time.sleep(REFRESH_SECONDS + 0.5)  # the time within which every worker takes a change of the sources
    assert all(pixel(gateway, write_key, f"next-{n}").status_code == 200 for n in range(6)), "every worker"

    page.goto(gateway.url + "/console/sources/new-site/delete")
    page.get_by_role("button", name="Yes, delete new-site").click()
    expect(page.locator("#source-new-site")).to_have_count(0)
    assert until(lambda: pixel(gateway, write_key, "after"), 401).status_code == 401


def test_a_pending_shopify_source_gets_its_secret_in_the_console(page: Any, gateway: RunningGateway) -> None:
    sign_in(page, gateway, "/console/sources")
    section = add_source(page, "shopify", "my-shop", "My Shopify shop")
    expect(section.locator("[data-state=pending]")).to_have_text("pending")
    expect(section.locator(".pending")).to_contain_text("secret")
    expect(section.get_by_label("Webhook URL")).to_have_value("https://gateway.example.com/v1/webhooks/my-shop")
    waiting = until(lambda: order(gateway, "my-shop"), 503)
    assert waiting.status_code == 503 and waiting.json()["type"] == "urn:tagway:problem:source-pending"

    section.get_by_role("link", name="Set it now").click()
    page.get_by_label("Secret (required)").fill(SECRET)
    page.get_by_role("button", name="Save").click()
    section = page.locator("section.source", has=page.locator("#source-my-shop"))
    expect(section.locator("[data-state]")).to_have_count(0)
    assert SECRET not in page.content(), "the secret is not shown back"
    time.sleep(REFRESH_SECONDS + 0.5)
    assert all(order(gateway, "my-shop").status_code == 200 for _ in range(4)), "Shopify's next retries are taken"
