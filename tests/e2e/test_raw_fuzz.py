"""A raw-socket fuzz of the real server, beside the schemathesis run: broken framing, huge lengths, chunked
garbage, NULs, on both engines. No 5xx, and every refused input is kept or counted."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.metrics import FLUSH_INTERVAL_SECONDS
from app.storage.migrations import upgrade
from tests.support.gateway import ADMIN, WRITE_KEY, base_config
from tests.support.postgres import fresh_database
from tests.support.server import RunningGateway, serving, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
BODY = b'{"name":"Lead","id":"fuzz","user":{"anonymousId":"a"}}'
STARTS = [
    b"POST /v1/events HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + WRITE_KEY.encode()
    + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY,
    b"POST /v1/events HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + WRITE_KEY.encode()
    + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % len(BODY) + BODY
    + b"\r\n0\r\n\r\n",
    b"GET /v1/collect?k=" + WRITE_KEY.encode() + b"&v=1&d=eyJ9 HTTP/1.1\r\nHost: g\r\n\r\n",
    b"POST /v1/webhooks/backend HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
]
SPLICES = [b"\x00", b"\\u0000", b"\r\n", b"\r\n\r\n", b"Content-Length: 18446744073709551617\r\n",
           b"Transfer-Encoding: chunked\r\n", b"zz\r\n", b"0\r\n\r\n", b"%00", b" ", b"\xff\xfe", b"A" * 9000]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def gateway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("fuzz")
    config = base_config(directory / "fuzz.db")
    if request.param == "postgresql":
        config["storage"] = {"url": fresh_database(request.getfixturevalue("postgres_url"))}
    upgrade(config["storage"]["url"])
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log") as running:
        yield running


def exchange(gateway: RunningGateway, raw: bytes) -> int | None:
    """The status answered to raw bytes (None: the server closed without answering), half-closing after them."""
    host, port = gateway.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        try:
            connection.sendall(raw)
            connection.shutdown(socket.SHUT_WR)  # nothing more comes: the server must not wait for it
        except OSError:
            pass  # the server answered and closed before reading everything
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
    status = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return int(status[1]) if status else None


def counted(gateway: RunningGateway) -> tuple[int, float, float]:
    """Kept rejections, refusals counted instead of kept, and requests to paths that are no endpoint, so far."""
    kept = len(requests.get(f"{gateway.url}/v1/rejections?limit=500", headers=ADMIN, timeout=5).json()["items"])
    metrics = settled(gateway)
    not_kept = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith("tagway_rejections_not_kept_total{"))
    # A path that is no endpoint at all (a scanner's) is counted, not kept: it is nobody's input.
    unmatched = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                    if line.startswith("tagway_http_requests_total{") and 'route="<unmatched>"' in line)
    return kept, not_kept, unmatched


def settled(gateway: RunningGateway) -> str:
    """/metrics once the workers have written their counts (once a second)."""
    time.sleep(FLUSH_INTERVAL_SECONDS * 1.2)
    return requests.get(f"{gateway.url}/metrics", timeout=5).text


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A real request with a few splices, cuts or flipped bytes."""
    raw = draw(st.sampled_from(STARTS))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["splice", "cut", "flip"]))
        if kind == "splice":
            raw = raw[:at] + draw(st.sampled_from(SPLICES)) + raw[at:]
        elif kind == "cut":
            raw = raw[:at] + raw[at + draw(st.integers(1, 20)):]
        elif raw and at < len(raw):
            raw = raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1:]
    return raw


def test_mangled_requests_get_a_documented_answer_and_refusals_are_kept_or_counted(gateway: RunningGateway) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(raw=mangled())
    def check(raw: bytes) -> None:
        before = counted(gateway)
        status = exchange(gateway, raw)
        assert status is None or status < 500 or status == 501, (status, raw[:200])
        if status is not None and status >= 400 and status not in (408, 429):
            assert counted(gateway) != before, f"a refused input ({status}) is kept or counted: {raw[:200]!r}"

    check()
    assert requests.get(f"{gateway.url}/healthz", timeout=5).status_code == 200
    assert Path(gateway.log_path).read_text().count("Traceback") == 0, "no unexpected error was logged"
