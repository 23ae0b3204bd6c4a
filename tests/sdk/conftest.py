"""tagway.js against a real gateway under gunicorn, in Debian's Chromium driven by Playwright.

The site's page is served to the browser at http://shop.test/ by Playwright (the host page is not what is tested:
it is the snippet `tagway sources add web` prints); the script, the collect POSTs and the stored events are real.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright import sync_api

from adapters.sdk import Source
from adapters.web import adapter as web_adapter
from tests.support.gateway import ADMIN, ADMIN_TOKEN, base_config
from tests.support.server import RunningGateway, serving, write_config

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # The site is public (shop.test), the test gateway on loopback: a real gateway is public too.
                 "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,"
                 "LocalNetworkAccessChecks"]
SITE = "http://shop.test"
SITE_KEY = "wk_site_0123456789abcdefghij"
MEMBERS_KEY = "wk_members_0123456789abcdefg"
# Channel Talk's published member hash example (developers.channel.io/docs/member-hash).
MEMBER_SECRET = "4629de5def93d6a2abea6afa9bd5476d9c6cbc04223f9a2f7e517b535dde3e25"
MEMBER_HASH = "99427c7bba36a6902c5fd6383f2fb0214d19b81023296b4bd6b9e024836afea2"
WAIT_S = 15.0
BOOT = re.compile(r'tagway\("boot",(\{.*\})\);')
QUEUE = ("Object.keys(localStorage).filter(k => k.startsWith('tw_q:')).sort()"
         ".map(k => JSON.parse(localStorage.getItem(k)))")
"""A page expression: the events of tagway.js's persisted queue (a key each, tw_q:<time><seq><id>), oldest first."""


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed by scripts/ensure-chromium when it is missing."""
    subprocess.run([str(ROOT / "scripts" / "ensure-chromium")], check=True)
    return CHROMIUM


@pytest.fixture(scope="session")
def node() -> None:
    """Node and the SDK's build tools (esbuild, typescript), as locked in sdk/web/package-lock.json."""
    subprocess.run([str(ROOT / "scripts" / "ensure-node"), str(SDK)], check=True)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """A gateway with two tagway.js sources: one plain, one that requires member hashes."""
    directory = tmp_path_factory.mktemp("sdk")
    config = base_config(directory / "sdk.db")
    config["sources"] += [
        {"id": "site", "adapter": "web", "write_key": SITE_KEY, "allowed_origins": [SITE]},
        {"id": "members", "adapter": "web", "write_key": MEMBERS_KEY, "allowed_origins": [SITE],
         "member_secret": MEMBER_SECRET, "require_member_hash": True},
    ]
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=2) as running:
        yield running
    log = running.log()
    for secret in (ADMIN_TOKEN, SITE_KEY, MEMBERS_KEY, MEMBER_SECRET):
        assert secret not in log, "a secret reached the gateway's log"


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def page_html(gateway_url: str, write_key: str, boot: dict[str, Any] | None = None, before: str = "",
              after: str = "") -> str:
    """The site's page: the snippet `tagway sources add web` prints (its boot options changed where asked)."""
    snippet = web_adapter.install_snippet(Source("site", "web"), gateway_url, write_key)
    assert snippet is not None
    if boot:
        options = {**json.loads(BOOT.search(snippet)[1]), **boot}  # type: ignore[index]
        snippet = BOOT.sub(lambda _: f"tagway(\"boot\",{json.dumps(options)});", snippet)
    return (f"<!doctype html><html><head><title>Home</title><script>{before}</script>{snippet}"
            f"<script>{after}</script></head><body>shop</body></html>")


@dataclass
class Site:
    """A browser context on the site, with what its pages printed and the gateway's answers."""

    context: Any
    gateway: RunningGateway
    warnings: list[str]
    errors: list[str]
    answers: list[Any]

    def open(self, path: str, html: str) -> Any:
        """A new tab on http://shop.test<path> showing `html`."""
        self.context.route(f"{SITE}{path}**", lambda route: route.fulfill(body=html, content_type="text/html"))
        tab = self.context.new_page()
        tab.on("console", lambda message: self.warnings.append(message.text) if message.type == "warning" else None)
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        tab.on("response", self._answer)
        tab.goto(f"{SITE}{path}")
        return tab

    def _answer(self, response: Any) -> None:
        if "/v1/collect" in response.url:
            self.answers.append(response)  # read later: a body cannot be awaited inside the event handler

    def collect_answers(self) -> list[dict[str, Any]]:
        """The JSON bodies of the gateway's answers to the collect POSTs so far."""
        return [response.json() for response in self.answers]


@pytest.fixture
def site(browser: Any, gateway: RunningGateway) -> Iterator[Site]:
    context = browser.new_context(locale="ko-KR")
    context.set_default_timeout(WAIT_S * 1000)
    opened = Site(context, gateway, [], [], [])
    yield opened
    context.close()
    assert opened.errors == [], "tagway.js broke the host page"


def stored(gateway: RunningGateway, source: str, path: str, site: str = SITE) -> list[dict[str, Any]]:
    """The events stored for `source` whose page is under <site><path>, oldest first."""
    answer = requests.get(f"{gateway.url}/v1/events", params={"source": source, "limit": 500}, headers=ADMIN,
                          timeout=10)
    answer.raise_for_status()
    events = [item["event"] for item in reversed(answer.json()["items"])]
    return [e for e in events if e.get("page", {}).get("url", "").startswith(f"{site}{path}")]


def wait_for(read: Callable[[], list[dict[str, Any]]], done: Callable[[list[dict[str, Any]]], bool]
             ) -> list[dict[str, Any]]:
    """What `read` returns once `done` holds for it (or, after a while, as it is: the assertion then says why)."""
    deadline = time.monotonic() + WAIT_S
    found = read()
    while not done(found) and time.monotonic() < deadline:
        time.sleep(0.1)
        found = read()
    return found


def settle() -> None:
    """Leave the SDK time to send anything it would wrongly send (a duplicate page view, a refused name)."""
    time.sleep(1.5)
