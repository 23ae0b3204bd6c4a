"""A shop's page for the pixel tests: HTML registered by path, served over HTTP on 127.0.0.1, and what arrived."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from tests.support.gateway import ADMIN

WAIT_SECONDS = 20


class ShopServer:
    """Serves registered pages; the builder's own page cannot exist here, so its documented API is emulated in it."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                html = pages.get(self.path.split("?")[0])
                body = (html or "not found").encode()
                self.send_response(200 if html else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

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
