"""A real HTTP receiver for delivery tests: it records what it gets and answers as told.

In-process (`Receiver`, a thread) for the delivery tests, or as its own process for end-to-end
tests: `python -m tests.support.receiver PORT RECORD_FILE [SECRET]` appends one JSON line per
request (webhook-id, the events' ids, whether the Standard Webhooks signature verified).
"""

from __future__ import annotations

import json
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def events(self) -> list[dict[str, Any]]:
        """The events of a tagway webhook delivery (one, or a batch)."""
        data = self.json()["data"]
        return list(data.get("events", [data]))


@dataclass
class Receiver:
    """Answers with the queued (status, headers) pairs, then with `default_status`."""

    default_status: int = 200
    answers: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.received.append(Received(self.command, self.path, dict(self.headers.items()), body))
                status, headers = receiver.answers.popleft() if receiver.answers else (receiver.default_status, {})
                reply = json.dumps({"id": f"r{len(receiver.received)}"}).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_POST = do_PUT = do_GET = _answer

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _serve_process(port: int, record_path: str, secret: str | None) -> None:
    lock = threading.Lock()
    verifier = Webhook(secret) if secret else None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            verified = None
            if verifier is not None:
                try:
                    verifier.verify(body, dict(self.headers.items()))
                    verified = True
                except Exception:
                    verified = False
            data = json.loads(body)["data"]
            events = data.get("events", [data])
            line = json.dumps({"webhookId": self.headers.get("webhook-id"), "verified": verified,
                               "ids": [f"{e['source']['id']}/{e['id']}" for e in events]})
            with lock, open(record_path, "a", encoding="utf-8") as out:
                out.write(line + "\n")
                out.flush()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    _serve_process(int(sys.argv[1]), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
