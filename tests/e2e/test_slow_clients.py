"""Slow clients (a byte at a time) never hold the workers: health checks and ingestion go on beside them."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.gateway import WRITE, WRITE_KEY, base_config
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e
SLOW_CLIENTS = 200


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("slow")
    config = write_config(directory / "tagway.toml", base_config(directory / "slow.db"))
    with serving(config, directory / "gateway.log", workers=2) as running:
        yield running


def _address(gateway: RunningGateway) -> tuple[str, int]:
    host, port = gateway.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


class SlowClients:
    """Connections that send a request a byte at a time, until stopped."""

    def __init__(self, gateway: RunningGateway, count: int, request: bytes) -> None:
        self.sockets = [socket.create_connection(_address(gateway), timeout=5) for _ in range(count)]
        self.request = request
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._drip, daemon=True)

    def _drip(self) -> None:
        for position in range(len(self.request) - 1):  # never the last byte: the request is never whole
            if self.stopped.wait(0.2):
                return
            for connection in self.sockets:
                with contextlib.suppress(OSError):  # a connection the server closed (408) stays closed
                    connection.sendall(self.request[position:position + 1])

    def __enter__(self) -> SlowClients:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for connection in self.sockets:
            connection.close()


@pytest.mark.parametrize("slow_part", ["headers", "body"])
def test_health_and_ingestion_answer_beside_200_slow_connections(gateway: RunningGateway, slow_part: str) -> None:
    body = b'{"name": "Lead", "id": "slow"}'
    head = (f"POST /v1/events HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {WRITE_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with SlowClients(gateway, SLOW_CLIENTS, head + body) as slow:
        if slow_part == "body":  # the headers at once, then the body a byte at a time
            for connection in slow.sockets:
                connection.sendall(head[:-1])
            slow.request = head[-1:] + body
        # Two sync workers would both be reading a slow request: these would wait for them (and time out).
        for n in range(10):
            assert requests.get(f"{gateway.url}/healthz", timeout=5).status_code == 200
            answer = requests.post(f"{gateway.url}/v1/events", json={"name": "Lead", "id": f"{slow_part}-{n}"},
                                   headers=WRITE, timeout=5)
            assert answer.status_code == 200 and answer.json()["stored"] == 1


def test_a_request_not_sent_in_time_is_answered_408(gateway: RunningGateway, tmp_path: Path) -> None:
    with socket.create_connection(_address(gateway), timeout=30) as connection:
        connection.sendall(b"POST /v1/events HTTP/1.1\r\nHost: gateway\r\nContent-Length: 10\r\n\r\n{")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"application/problem+json" in answer and b"request-timeout" in answer
