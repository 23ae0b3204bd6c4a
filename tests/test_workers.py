"""When the gateway's worker has read a request whole and hands it to a thread."""

from __future__ import annotations

import pytest

from app.workers import MAX_BUFFERED_BYTES, request_complete

HEAD = b"POST /v1/events HTTP/1.1\r\nHost: g\r\n"


@pytest.mark.parametrize("buffered, complete", [
    (b"GET /healthz HTTP/1.1\r\nHost: g\r\n", False),              # headers not ended
    (b"GET /healthz HTTP/1.1\r\nHost: g\r\n\r\n", True),           # no body announced
    (HEAD + b"Content-Length: 4\r\n\r\n{}", False),                # the body is short
    (HEAD + b"Content-Length: 4\r\n\r\n{ }}", True),
    (HEAD + b"content-length: 4\r\n\r\n{ }}", True),                # header names in any case
    (HEAD + b"Content-Length: x\r\n\r\n", True),                   # the parser refuses it
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", False),
    (HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", True),
    (HEAD + b"Content-Length: 99999999999999999999\r\n\r\n{}", False),  # waits for the cap, not the length
])
def test_a_request_is_whole_when_its_headers_and_announced_body_are_in(buffered: bytes, complete: bool) -> None:
    assert request_complete(buffered) is complete


def test_a_huge_request_is_handed_over_at_the_cap_for_the_application_to_refuse() -> None:
    announced = HEAD + b"Content-Length: 99999999999999999999\r\n\r\n"
    assert request_complete(announced + b"x" * MAX_BUFFERED_BYTES)
    assert request_complete(b"GET /" + b"a" * MAX_BUFFERED_BYTES)  # headers that never end
