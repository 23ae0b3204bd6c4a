"""Malformed HTTP framing sent over a raw socket to the real server: a documented answer, the input kept."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import orjson
import pytest
import requests

from tests.support.gateway import ADMIN, WRITE_KEY, base_config
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("raw")
    config = write_config(directory / "tagway.toml", base_config(directory / "raw.db"))
    with serving(config, directory / "gateway.log", workers=2) as running:
        yield running


def exchange(gateway: RunningGateway, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer until the server closes: status, headers, body."""
    host, port = gateway.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("framing", [
    b"zz\r\n{}\r\n0\r\n\r\n",                      # a chunk size that is not hexadecimal
    b"5\r\n{}\r\n0\r\n\r\n",                       # a chunk shorter than its size
    b"2\r\n{}XX0\r\n\r\n",                         # no CRLF after the chunk
])
def test_malformed_chunked_bodies_are_refused_and_kept(gateway: RunningGateway, framing: bytes) -> None:
    request = (b"POST /v1/events HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n"
               b"Authorization: Bearer " + WRITE_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + framing)
    status, headers, body = exchange(gateway, request)
    assert status == 400, body
    assert headers["content-type"] == "application/problem+json"
    problem = orjson.loads(body)
    assert problem["type"].endswith(":invalid-body") and problem["errors"][0]["field"] == "body"
    kept = requests.get(f"{gateway.url}/v1/rejections/{problem['rejectionId']}", headers=ADMIN, timeout=5).json()
    assert kept["reason"] == "payload" and kept["sourceId"] == "web"
