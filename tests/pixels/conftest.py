"""Fixtures of the builder-pixel browser tests: a real gateway (gunicorn), a shop page server and Debian's Chromium."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from tests.pixels.shop import ShopServer
from tests.support.gateway import ADMIN_TOKEN, base_config
from tests.support.server import RunningGateway, serving, write_config

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 15_000
RATE_LIMITED = ("shopify-pixel-limited", "wk_shopify_pixel_limited_0123456789ab")
"""A Shopify pixel source allowed one post per 3 seconds: its second post is answered 429 with Retry-After."""
PIXEL_SOURCES = {
    "shopify-pixel": ("shopify_pixel", "wk_shopify_pixel_0123456789abcdef"),
    "wix-pixel": ("wix_pixel", "wk_wix_pixel_0123456789abcdef"),
    "bigcommerce-pixel": ("bigcommerce_pixel", "wk_bigcommerce_pixel_0123456789abcdef"),
}


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed by scripts/ensure-chromium when it is missing."""
    subprocess.run([str(ROOT / "scripts" / "ensure-chromium")], check=True)
    assert CHROMIUM.exists()
    return CHROMIUM


@pytest.fixture(scope="session")
def pixel_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """`tagway serve` (gunicorn) with one source per builder pixel whose adapter is installed."""
    from app.registry import discover_adapters

    installed = discover_adapters()
    directory = tmp_path_factory.mktemp("pixels")
    config = base_config(directory / "pixels.db")
    config["sources"] += [{"id": source_id, "adapter": adapter, "write_key": key}
                          for source_id, (adapter, key) in PIXEL_SOURCES.items() if adapter in installed]
    config["sources"].append({"id": RATE_LIMITED[0], "adapter": "shopify_pixel", "write_key": RATE_LIMITED[1],
                              "rate_limit": "1 per 3 seconds"})
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=1) as running:
        yield running
    log = running.log()
    for secret in (ADMIN_TOKEN, RATE_LIMITED[1], *(key for _, key in PIXEL_SOURCES.values())):
        assert secret not in log, "a secret reached the gateway's log"


@pytest.fixture(scope="package")
def chromium_browser(chromium: Path) -> Iterator[Any]:
    """One Chromium for the session; each test opens its own context (its own storage)."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium_browser: Any) -> Iterator[Any]:
    """A fresh browser profile (cookies, local storage) for one test."""
    context = chromium_browser.new_context(locale="en-US", timezone_id="UTC")
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


@pytest.fixture(scope="session")
def shop() -> Iterator[ShopServer]:
    """The builder's page, served from 127.0.0.1 on its own port (another origin than the gateway's)."""
    server = ShopServer()
    yield server
    server.close()
