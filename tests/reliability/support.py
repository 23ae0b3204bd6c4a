"""What the reliability tests share: a receiver whose answers can be slowed or held, workers run in
threads as `tagway worker` runs them, events sent through the real route, and bounded waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
from flask import Flask

from app.delivery.worker import DeliveryWorker
from tests.support.gateway import WRITE, base_config


class Receiver:
    """A real HTTP receiver on 127.0.0.1: records the event ids of each POST, in arrival order, then runs
    `before_answer(number)` (the request's 1-based number: sleep, wait, kill a process...) and answers 200."""

    def __init__(self, before_answer: Callable[[int], None] = lambda number: None) -> None:
        self.ids: list[str] = []
        self.arrivals = 0
        self.answered = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                data = orjson.loads(body)["data"]
                with receiver._lock:
                    receiver.ids.extend(f"{e['source']['id']}/{e['id']}" for e in data.get("events", [data]))
                    receiver.arrivals += 1
                    number = receiver.arrivals
                before_answer(number)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    return  # the sender is gone (a killed worker)
                with receiver._lock:
                    receiver.answered += 1

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def gateway_config(tmp_path: Path, database_url: str, delivery: dict[str, Any],
                   *destinations: dict[str, Any]) -> dict[str, Any]:
    """The test gateway's configuration on this database, with these delivery settings and destinations."""
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database_url}
    config["delivery"] = {"in_process": False, "poll_seconds": 0.05, **delivery}
    config["destinations"] = list(destinations)
    return config


def hook(destination_id: str, receiver: Receiver, **extra: Any) -> dict[str, Any]:
    """A webhook destination posting one event per request to the receiver."""
    return {"id": destination_id, "type": "webhook", "url": receiver.url + "/in", "batch_size": 1, **extra}


def send_events(app: Flask, count: int) -> list[str]:
    """`count` events through POST /v1/events; their ids as receivers record them, oldest first."""
    ids = [f"evt-{n:03d}" for n in range(count)]
    for start in range(0, count, 100):
        batch = [{"id": i, "name": "Lead", "user": {"anonymousId": f"a-{i}"}} for i in ids[start:start + 100]]
        answer = app.test_client().post("/v1/events", json={"batch": batch}, headers=WRITE)
        assert answer.status_code == 200 and answer.get_json()["stored"] == len(batch)
    return [f"web/{i}" for i in ids]


def worker_of(app: Flask) -> DeliveryWorker:
    """A delivery worker on the app's gateway (its own connections, destinations and HTTP sessions)."""
    return DeliveryWorker(app.extensions["tagway"].worker_parts())


@contextmanager
def running(*workers: DeliveryWorker) -> Iterator[None]:
    """Run the workers as `tagway worker` does until the block ends."""
    stop = threading.Event()
    threads = [threading.Thread(target=worker.run_forever, args=(stop,), daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in threads), "the workers stopped"


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 25) -> None:
    """Poll until the condition holds; fail naming what did not happen within the bound."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:.0f} s"
        time.sleep(0.02)


def delivered(app: Flask, destination: str) -> int:
    """Rows of the destination recorded as delivered."""
    return app.extensions["tagway"].storage.delivery_counts().get(destination, {}).get("delivered", 0)
