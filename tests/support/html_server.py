"""A local HTTP server for browser tests: a page's HTML answered by a function of the path, on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[str, Message], "tuple[int, str]"]
"""(path with its query, request headers) → (status, HTML)."""


def serve_html(answer: Answer) -> tuple[ThreadingHTTPServer, str]:
    """A started server answering every GET with `answer`; the server (to shut down) and its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, html = answer(self.path, self.headers)
            body = html.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass  # the test's output is not a server log

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
