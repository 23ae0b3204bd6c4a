"""Requests the HTTP server's parser refuses before the application sees them, refused like any other input.

The gunicorn worker (`app/workers.py`) calls `refuse_unparsed` with what the parser read of the request: the
input is kept (within the budget of unknown callers, as nobody is authenticated yet), and the answer is a
problem body, with a pixel's headers on /v1/collect.
"""

from __future__ import annotations

from typing import Any

from adapters.base import Problem
from adapters.times import format_time
from app.event.check import without_nul
from app.gateway import Gateway
from app.ingest.collect import as_pixel_answer
from app.ingest.outcome import Outcome
from app.ingest.request import CREDENTIAL_HEADERS, masked_query
from app.problems import ProblemError
from app.storage.records import InputRecord

_SLUG_OF_STATUS = {414: "uri-too-long", 431: "headers-too-large", 417: "expectation-failed",
                   501: "unsupported-transfer-coding"}
_EXPECTATION_OF_STATUS = {
    414: "a request line of at most 8190 bytes; send long payloads in chunks or in a POST body",
    431: "at most 100 headers of at most 8190 bytes each",
    417: "no Expect header other than 100-continue",
    501: "Transfer-Encoding: chunked, or a Content-Length",
}


def refuse_unparsed(app: Any, status: int, message: str, request: Any, request_line: bytes,
                    remote_addr: str | None) -> Outcome:
    """Keep what is known of a request the parser refused; the answer to send (with a pixel's headers on /v1/collect).

    `request` is what the parser made of it, if anything; `request_line` its first line as received (maybe cut).
    """
    gateway = app.extensions["tagway"]
    assert isinstance(gateway, Gateway)
    method, path, query = _read_line(request_line)
    if request is not None:
        method, path = str(request.method or method), str(request.path or path)
        query = str(request.query or query)
    headers = {_text(name).title(): _text(value) for name, value in getattr(request, "headers", None) or ()
               if str(name).lower() not in CREDENTIAL_HEADERS}
    record = InputRecord(
        received_at=format_time(gateway.clock()), endpoint="unparsed", method=_text(method)[:16],
        path=_text(path)[:2048], body=b"", body_size=0, source_id=None, adapter=None,
        query=masked_query(_text(query)[:2048]), headers=headers, remote_addr=remote_addr)
    outcome = gateway.pipeline.refuse(record, parser_problem(status, message))
    return as_pixel_answer(outcome) if path == "/v1/collect" else outcome


def parser_problem(status: int, message: str) -> ProblemError:
    """The problem of a request the parser refused with `status`, its message as the value."""
    slug = _SLUG_OF_STATUS.get(status, "malformed-request")
    expectation = _EXPECTATION_OF_STATUS.get(status, "a well-formed HTTP/1.1 request (RFC 9112)")
    return ProblemError(slug, [Problem("request", message, expectation)])


def _read_line(line: bytes) -> tuple[str, str, str]:
    """Method, path and query of a request line as received (`GET /v1/collect?k=... HTTP/1.1`), however cut."""
    method, _, rest = line.decode("latin-1").partition(" ")
    target = rest.rsplit(" HTTP/", 1)[0] if " HTTP/" in rest else rest
    path, _, query = target.partition("?")
    return method, path, query


def _text(value: object) -> str:
    """Text PostgreSQL can keep: whatever the parser refused may hold NULs."""
    return str(without_nul(str(value)))
