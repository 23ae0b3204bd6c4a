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


def _kept(gateway: RunningGateway, rejection_id: str | int) -> dict:  # type: ignore[type-arg]
    return requests.get(f"{gateway.url}/v1/rejections/{rejection_id}", headers=ADMIN, timeout=5).json()


@pytest.mark.parametrize("request_bytes, status, slug", [
    (b"POST /v1/events HTTP/1.1\r\nHost: gateway\r\nX-Bad\x01Name: 1\r\nContent-Length: 2\r\n\r\n{}",
     400, "malformed-request"),
    (b"\x00POST /v1/events HTTP/1.1\r\nHost: gateway\r\nContent-Length: 2\r\n\r\n{}", 400, "malformed-request"),
    (b"GET v1/collect?k=x&d=eyJ9 HTTP/1.1\r\nHost: gateway\r\n\r\n", 400, "malformed-request"),
    (b"POST /v1/webhooks/backend HTTP/1.1\r\nHost: gateway\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(120))
     + b"Content-Length: 2\r\n\r\n{}", 431, "headers-too-large"),
])
def test_requests_the_server_parser_refuses_are_problems_and_kept(gateway: RunningGateway, request_bytes: bytes,
                                                                  status: int, slug: str) -> None:
    answered, headers, body = exchange(gateway, request_bytes)
    assert answered == status
    assert headers["content-type"] == "application/problem+json"
    problem = orjson.loads(body)
    assert problem["type"].endswith(f":{slug}") and problem["errors"][0]["field"] == "request"
    assert _kept(gateway, problem["rejectionId"])["reason"] == "malformed"


def test_a_pixel_whose_url_is_too_long_gets_its_problem_headers(gateway: RunningGateway) -> None:
    long_url = b"/v1/collect?k=" + WRITE_KEY.encode() + b"&d=" + b"A" * 9000
    answered, headers, body = exchange(gateway, b"GET " + long_url + b" HTTP/1.1\r\nHost: gateway\r\n\r\n")
    assert answered == 414
    assert headers["content-type"] == "application/problem+json" and not body.startswith(b"GIF")
    assert headers["x-tagway-problem"].startswith("uri-too-long")
    kept = _kept(gateway, headers["x-tagway-rejection"])
    assert kept["input"]["path"] == "/v1/collect" and kept["reason"] == "malformed"
    assert WRITE_KEY not in str(kept), "the write key in the cut request line is masked"
