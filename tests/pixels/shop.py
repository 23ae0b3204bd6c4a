"""A shop's page for the pixel tests: HTML registered by path, served over HTTP on 127.0.0.1, and what arrived."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from tests.support.gateway import ADMIN
from tests.support.html_server import serve_html

WAIT_SECONDS = 20


class ShopServer:
    """Serves registered pages; the builder's own page cannot exist here, so its documented API is emulated in it."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        def answer(path: str, _: Any) -> tuple[int, str]:
            html = pages.get(path.split("?")[0])
            return (200, html) if html else (404, "not found")

        self.server, self.url = serve_html(answer)

    def page(self, path: str, html: str) -> str:
        """Serve `html` at `path`; its URL."""
        self.pages[path] = html
        return self.url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def stored_events(gateway_url: str, source: str) -> list[dict[str, Any]]:
    """The events the gateway stored for a source, oldest first (GET /v1/events, admin token)."""
    answer = requests.get(f"{gateway_url}/v1/events", params={"source": source, "limit": 500}, headers=ADMIN,
                          timeout=10)
    answer.raise_for_status()
    return [item["event"] for item in reversed(answer.json()["items"])]


def wait_until(found: Callable[[], Any], what: str, page: Any = None) -> Any:
    """Poll until `found()` is truthy (a deadline for a browser that never sends, not a speed check).

    With a `page`, Playwright waits on it between polls, which is when it delivers the page's network events.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError(f"waited {WAIT_SECONDS}s for {what}")
