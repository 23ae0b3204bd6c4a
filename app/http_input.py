"""Reading a Flask request once: the body within limits, and the record kept of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from werkzeug.wrappers import Request

from adapters.base import Headers, InboundRequest
from adapters.times import format_time
from app.config.model import Limits
from app.storage.records import InputRecord

# Credentials never reach the database: these headers are dropped, these query parameters masked.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "x-write-key"})
CREDENTIAL_PARAMS = frozenset({"k", "writekey", "write_key", "key", "token", "api_key", "access_token"})
MASK = "***"
# Masks credential parameters in a raw query string without decoding and re-encoding the rest.
_CREDENTIAL_IN_QUERY = re.compile(
    r"(^|&)((?:" + "|".join(sorted(CREDENTIAL_PARAMS)) + r")=)[^&]*", re.IGNORECASE)


def masked_query(query_string: str) -> str:
    """The query string as received, with the values of credential parameters replaced by ***."""
    return _CREDENTIAL_IN_QUERY.sub(lambda m: m.group(1) + m.group(2) + MASK, query_string)


@dataclass(frozen=True)
class ReceivedBody:
    """The body as read: possibly only its beginning when it was too large."""

    data: bytes
    size: int
    too_large: bool


def read_body(request: Request, limits: Limits) -> ReceivedBody:
    """Read at most the request limit; keep only the beginning of an oversized body."""
    environ = request.environ
    declared = request.content_length
    if declared is not None:
        # With a declared length the raw input is read directly: exactly that many bytes.
        raw = environ["wsgi.input"]
        if declared > limits.max_request_bytes:
            return ReceivedBody(raw.read(min(declared, limits.max_kept_body_bytes)), declared, True)
        data = raw.read(declared)
        return ReceivedBody(data, len(data), False)
    stream = environ["wsgi.input"] if environ.get("wsgi.input_terminated") else request.stream
    data = stream.read(limits.max_request_bytes + 1)
    if len(data) > limits.max_request_bytes:
        return ReceivedBody(data[: limits.max_kept_body_bytes], len(data), True)
    return ReceivedBody(data, len(data), False)


def request_headers(request: Request) -> dict[str, str]:
    """The request's headers in one pass over the WSGI environ."""
    environ = request.environ
    headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
               if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    return headers


def inbound_request(request: Request, headers: dict[str, str], body: bytes, received_at: datetime,
                    limits: Limits) -> InboundRequest:
    """The framework-neutral view of the request that adapters receive."""
    return InboundRequest(
        method=request.method,
        path=request.path,
        headers=Headers(headers),
        body=body,
        query={key: request.args.getlist(key) for key in request.args} if request.environ.get("QUERY_STRING") else {},
        received_at=received_at,
        remote_addr=request.remote_addr,
        max_json_depth=limits.max_json_depth,
    )


def input_record(request: Request, headers: dict[str, str], body: ReceivedBody, received_at: datetime,
                 endpoint: str, limits: Limits, source_id: str | None = None,
                 adapter: str | None = None) -> InputRecord:
    """What is kept of a request: credentials removed, body capped."""
    kept_headers = {name: value for name, value in headers.items() if name.lower() not in CREDENTIAL_HEADERS}
    query = masked_query(request.environ.get("QUERY_STRING", ""))
    return InputRecord(
        received_at=format_time(received_at), endpoint=endpoint, method=request.method, path=request.path,
        body=body.data[: limits.max_kept_body_bytes], body_size=body.size, source_id=source_id,
        adapter=adapter, query=query, headers=kept_headers, remote_addr=request.remote_addr,
    )
