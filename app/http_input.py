"""Reading a Flask request once: the body within limits, and the record kept of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from flask import Request

from adapters.base import Headers, InboundRequest
from app.config.model import Limits
from app.event.timefmt import format_time
from app.storage.records import InputRecord

# Credentials never reach the database: these headers are dropped, these query parameters masked.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "x-write-key"})
CREDENTIAL_PARAMS = frozenset({"writekey", "write_key", "key", "token", "api_key", "access_token"})
MASK = "***"


@dataclass(frozen=True)
class ReceivedBody:
    """The body as read: possibly only its beginning when it was too large."""

    data: bytes
    size: int
    too_large: bool


def read_body(request: Request, limits: Limits) -> ReceivedBody:
    """Read at most the request limit; keep only the beginning of an oversized body."""
    declared = request.content_length
    stream = request.stream
    if declared is not None and declared > limits.max_request_bytes:
        return ReceivedBody(stream.read(limits.max_kept_body_bytes), declared, True)
    data = stream.read(limits.max_request_bytes + 1)
    if len(data) > limits.max_request_bytes:
        return ReceivedBody(data[: limits.max_kept_body_bytes], len(data), True)
    return ReceivedBody(data, len(data), False)


def inbound_request(request: Request, body: bytes, received_at: datetime, limits: Limits) -> InboundRequest:
    """The framework-neutral view of the request that adapters receive."""
    return InboundRequest(
        method=request.method,
        path=request.path,
        headers=Headers(request.headers.items()),
        body=body,
        query={key: request.args.getlist(key) for key in request.args},
        received_at=received_at,
        remote_addr=request.remote_addr,
        max_json_depth=limits.max_json_depth,
    )


def input_record(request: Request, body: ReceivedBody, received_at: datetime, endpoint: str, limits: Limits,
                 source_id: str | None = None, adapter: str | None = None,
                 secret_headers: frozenset[str] = frozenset()) -> InputRecord:
    """What is kept of a request: credentials removed, body capped."""
    dropped = CREDENTIAL_HEADERS | secret_headers
    headers = {name: value for name, value in request.headers.items() if name.lower() not in dropped}
    query = urlencode([(key, MASK if key.lower() in CREDENTIAL_PARAMS else value)
                       for key, value in request.args.items(multi=True)])
    return InputRecord(
        received_at=format_time(received_at), endpoint=endpoint, method=request.method, path=request.path,
        body=body.data[: limits.max_kept_body_bytes], body_size=body.size, source_id=source_id,
        adapter=adapter, query=query, headers=headers, remote_addr=request.remote_addr,
    )
