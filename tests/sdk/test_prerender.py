"""A page that Chromium really prerenders (speculation rules) sends its page view once shown, never before.

Playwright cannot drive this one: Chromium refuses to prerender while a DevTools client without tab-target support
is attached, as Playwright's is (the prerender ends as `PrerenderingDisabledByDevTools`). So Chromium runs on its
own, headless, on the site's first page, served by a real HTTP server as the next page is (a prerender is
same-origin). The pages tell that server what they saw; the events are read at the gateway.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.sdk.conftest import CHROMIUM_ARGS, page_html, settle, stored, wait_for
from tests.support.gateway import base_config
from tests.support.html_server import serve_html
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e

KEY = "wk_prerender_0123456789abcde"
# The site's first page asks Chromium to prerender the next one, and goes there when the test says so.
START = """<!doctype html><html><head><title>Shop</title>
<script type="speculationrules">{"prerender": [{"source": "list", "urls": ["/prerender/next"]}]}</script>
<script>setInterval(() => fetch("/go").then((answer) => answer.text())
    .then((go) => { if (go == "1") location.href = "/prerender/next"; }), 100);</script>
</head><body>shop</body></html>"""
# What the next page tells the site's server: whether it was prerendered once its scripts (tagway.js too) had run,
# and when it was shown.
REPORT = """addEventListener("load", () => fetch("/report?event=load&prerendering=" + document.prerendering
                                         + "&booted=" + !!(window.tagway && tagway.loaded)));
document.addEventListener("prerenderingchange", () => fetch("/report?event=shown&activationStart="
    + performance.getEntriesByType("navigation")[0].activationStart));"""


@dataclass
class Shop:
    """The site's HTTP server: what it served (with the Sec-Purpose header) and what the pages reported."""

    url: str
    next_page: str = ""
    served: list[tuple[str, str | None]] = field(default_factory=list)
    reports: list[dict[str, str]] = field(default_factory=list)
    go: threading.Event = field(default_factory=threading.Event)

    def answer(self, path: str, purpose: str | None) -> str:
        """The body for `path`; records the request."""
        route, _, query = path.partition("?")
        if route == "/report":
            self.reports.append(dict(parse_qsl(query)))
            return ""
        if route == "/go":
            return "1" if self.go.is_set() else "0"
        self.served.append((route, purpose))
        return {"/prerender/start": START, "/prerender/next": self.next_page}.get(route, "")


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    server, url = serve_html(lambda path, headers: (200, served.answer(path, headers.get("Sec-Purpose"))))
    served = Shop(url)
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, shop: Shop) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("sdk-prerender")
    config = base_config(directory / "sdk.db")
    config["sources"].append({"id": "shop", "adapter": "web", "write_key": KEY, "allowed_origins": [shop.url]})
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=1) as running:
        yield running


@pytest.fixture
def chromium_on(chromium: Path, tmp_path: Path) -> Iterator[Any]:
    """Starts Chromium on a URL, without a DevTools client; stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(url: str) -> None:
        started.append(subprocess.Popen([str(chromium), *CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}",
                                         url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_really_prerendered_page_sends_its_page_view_only_once_shown(
        shop: Shop, gateway: RunningGateway, chromium_on: Any) -> None:
    shop.next_page = page_html(gateway.url, KEY, boot={"flushInterval": 50}, after=REPORT)
    chromium_on(f"{shop.url}/prerender/start")
    loaded = wait_for(lambda: shop.reports, lambda found: any(r["event"] == "load" for r in found))
    assert ("/prerender/next", "prefetch;prerender") in shop.served, "Chromium did not prerender the next page"
    assert {"event": "load", "prerendering": "true", "booted": "true"} in loaded, \
        "tagway.js booted in the page while it was prerendered"
    settle()  # flushInterval is 50 ms: a page view sent while prerendered would be stored by now
    assert stored(gateway, "shop", "/prerender/next", shop.url) == [], "a page view was sent while prerendered"

    shown_at = time.time()
    shop.go.set()  # the first page navigates: Chromium shows the prerendered page (activation)
    reports = wait_for(lambda: shop.reports, lambda found: any(r["event"] == "shown" for r in found))
    shown = next(r for r in reports if r["event"] == "shown")
    assert float(shown["activationStart"]) > 0, "the page shown is the prerendered one, not a new load"
    events = wait_for(lambda: stored(gateway, "shop", "/prerender/next", shop.url), lambda found: len(found) >= 1)
    settle()
    events = stored(gateway, "shop", "/prerender/next", shop.url)
    assert [(e["name"], e["page"]["path"]) for e in events] == [("PageView", "/prerender/next")]
    assert events[0]["receivedAt"] >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(shown_at))
    assert [path for path, _ in shop.served].count("/prerender/next") == 1, "shown without loading it again"
