"""What a browser makes of each answer to a pixel: only a taken input loads as an image.

GTM's `sendPixel` reports the tag as succeeded when the image loads and failed when it does not, and an
`<img>` loads an image body whatever the status: so a refused pixel must answer something that is no image.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from tests.console.test_browser import CHROMIUM_ARGS
from tests.support.gateway import WRITE_KEY, base_config
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e
PIXEL_KEY = "wk_pixel_images_0123456789"
LIMITED_KEY = "wk_pixel_limited_0123456789"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("pixels")
    config = base_config(directory / "pixels.db")
    config["sources"] += [{"id": "site", "adapter": "gtm", "write_key": PIXEL_KEY},
                          {"id": "limited", "adapter": "gtm", "write_key": LIMITED_KEY, "rate_limit": "1/minute"}]
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=1) as running:
        yield running


def payload(event_id: str) -> str:
    push = {"event": "chat_open"}
    data = {"v": 1, "id": event_id, "event": "chat_open", "data": push, "page": {"url": "https://shop.example/"}}
    return base64.b64encode(json.dumps(data).encode()).decode()


def image_outcomes(chromium: Path, urls: list[str]) -> list[str]:
    """`load` or `error` for an <img> of each URL, in a real Chromium."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            script = """urls => Promise.all(urls.map(url => new Promise(done => {
                const image = new Image(); image.onload = () => done('load'); image.onerror = () => done('error');
                image.src = url; })))"""
            outcomes: Any = page.evaluate(script, urls)
        finally:
            browser.close()
    return list(outcomes)


def test_only_a_taken_pixel_loads_as_an_image(gateway: RunningGateway, chromium: Path) -> None:
    base = f"{gateway.url}/v1/collect?v=1"
    whole = payload("img-1")
    half = len(whole) // 2
    cases = {
        "200 stored": f"{base}&k={PIXEL_KEY}&d={whole}",
        "202 first chunk": f"{base}&k={PIXEL_KEY}&i=img-2&n=2&c=0&d={payload('img-2')[:half]}",
        "401 wrong key": f"{base}&k=wk_not_a_key_0123456789&d={whole}",
        "400 another source's key": f"{base}&k={WRITE_KEY}&d={whole}",
        "400 bad payload": f"{base}&k={PIXEL_KEY}&d=!!!",
        "200 limited, first": f"{base}&k={LIMITED_KEY}&d={payload('img-3')}",
        "429 limited, second": f"{base}&k={LIMITED_KEY}&d={payload('img-4')}",
    }
    outcomes = dict(zip(cases, image_outcomes(chromium, list(cases.values())), strict=True))
    # The rate-limited pair is sent in parallel with the rest: either may come first.
    limited = sorted(outcomes.pop(name) for name in ("200 limited, first", "429 limited, second"))
    assert outcomes == {"200 stored": "load", "202 first chunk": "load", "401 wrong key": "error",
                        "400 another source's key": "error", "400 bad payload": "error"}
    assert limited == ["error", "load"]
