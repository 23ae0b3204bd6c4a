"""Ingestion's first step: the request read once from the WSGI environ — body within limits, the record kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from adapters.base import Headers, InboundRequest, Problem
from adapters.times import format_time
from app.config.model import Limits
from app.event.check import without_nul
from app.problems import ProblemError
from app.storage.records import InputRecord

# Credentials never reach the database: these headers are dropped, these query parameters masked.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "x-write-key"})
CREDENTIAL_PARAMS = frozenset({"k", "writekey", "write_key", "key", "token", "api_key", "access_token"})
MASK = "***"
# Header names by WSGI environ key (HTTP_X_SHOPIFY_TOPIC → X-Shopify-Topic): providers send the
# same few every time. Bounded, since a client may send any names.
_HEADER_NAMES: dict[str, str] = {}
_MAX_HEADER_NAMES = 1024


def masked_query(query_string: str) -> str:
    """The query string as received, with the values of credential parameters replaced by ***."""
    if "=" not in query_string:
        return query_string
    # Split and joined as received: the rest of the string is neither decoded nor re-encoded.
    parameters = query_string.split("&")
    masked = False
    for index, parameter in enumerate(parameters):
        name, equals, _ = parameter.partition("=")
        # The name as the handlers read it (query_parameters decodes it): %6B= is k=.
        read_as = unquote_plus(name, errors="replace") if "%" in name or "+" in name else name
        if equals and read_as.lower() in CREDENTIAL_PARAMS:
            parameters[index] = name + "=" + MASK
            masked = True
    return "&".join(parameters) if masked else query_string


def query_parameters(query: str) -> dict[str, list[str]]:
    """A query string's parameters as `urllib.parse.parse_qs(keep_blank_values=True)` reads them.

    Decoding is skipped for the usual parameters that need none (a pixel's base64 payload).
    """
    if not query:
        return {}
    if not query.isascii():
        query = query.encode("latin-1").decode("utf-8", "replace")
    parameters: dict[str, list[str]] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in pair or "+" in pair:
            name, value = unquote_plus(name, errors="replace"), unquote_plus(value, errors="replace")
        parameters.setdefault(name, []).append(value)
    return parameters


class WsgiRequest:
    """What the ingestion handlers read of a request, taken from the WSGI environ as needed.

    The hot path serves every browser event and webhook; werkzeug's `Request` would build its
    descriptors and multi-dicts for each of them, for the handful of values read here.
    """

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        # WSGI hands the path and the query string over as latin-1; both are UTF-8 text.
        path = environ.get("PATH_INFO", "")
        self.path = "/" + (path if path.isascii() else path.encode("latin-1").decode("utf-8", "replace")).lstrip("/")
        if "\x00" in self.path:  # %00 in the URL: kept as text, which PostgreSQL cannot hold with a NUL
            self.path = without_nul(self.path)
        self.query_string: str = environ.get("QUERY_STRING", "")
        self.args = query_parameters(self.query_string)
        """The query parameters, each with all its values in order (blank values kept)."""

    @property
    def method(self) -> str:
        """The HTTP method."""
        return str(self.environ["REQUEST_METHOD"])

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter, or `default`."""
        values = self.args.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        """One request header's value, or None."""
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        return self.environ.get(key)

    @property
    def content_length(self) -> int | None:
        """The declared body length; None for a chunked or undeclared body, 0 when malformed (as werkzeug)."""
        declared = self.environ.get("CONTENT_LENGTH")
        if declared is None or "chunked" in self.environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return None
        declared = declared.strip()
        return max(0, int(declared)) if declared.isascii() and declared.isdigit() else 0

    @property
    def remote_addr(self) -> str | None:
        """The peer's address as the server saw it."""
        return self.environ.get("REMOTE_ADDR")


@dataclass(slots=True)
class ReceivedBody:
    """The body as read: possibly only its beginning when it was too large or broken off."""

    data: bytes
    size: int
    too_large: bool
    unreadable: str | None = None
    """Why the body could not be read whole (malformed chunked framing, a connection cut short), if so."""


def read_body(request: WsgiRequest, limits: Limits) -> ReceivedBody:
    """Read at most the request limit; keep only the beginning of an oversized or unreadable body."""
    try:
        return _read_body(request, limits)
    except Exception as error:  # the server's framing errors (gunicorn's InvalidChunkSize, ...) or a cut connection
        return ReceivedBody(b"", 0, False, f"{type(error).__name__}: {error}"[:200])


def _read_body(request: WsgiRequest, limits: Limits) -> ReceivedBody:
    environ = request.environ
    declared = request.content_length
    raw = environ["wsgi.input"]
    if declared is not None:
        # With a declared length the raw input is read directly: exactly that many bytes.
        if declared > limits.max_request_bytes:
            return ReceivedBody(raw.read(min(declared, limits.max_kept_body_bytes)), declared, True)
        data = raw.read(declared)
        return ReceivedBody(data, len(data), False)
    if not environ.get("wsgi.input_terminated"):
        # Without a length, only a server that marks the input's end (gunicorn does) can be read safely.
        return ReceivedBody(b"", 0, False)
    data = raw.read(limits.max_request_bytes + 1)
    if len(data) > limits.max_request_bytes:
        return ReceivedBody(data[: limits.max_kept_body_bytes], len(data), True)
    return ReceivedBody(data, len(data), False)


def request_headers(request: WsgiRequest) -> dict[str, str]:
    """The request's headers in one pass over the WSGI environ."""
    environ = request.environ
    names = _HEADER_NAMES
    headers = {}
    for key, value in environ.items():
        if key[:5] == "HTTP_":
            name = names.get(key)
            if name is None:
                name = key[5:].replace("_", "-").title()
                if len(names) < _MAX_HEADER_NAMES:
                    names[key] = name
            headers[name] = value
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    return headers


@dataclass(slots=True)
class Received:
    """One ingestion request as read once: the environ's view, its headers, its body, when it arrived."""

    request: WsgiRequest
    headers: dict[str, str]
    body: ReceivedBody
    at: datetime
    limits: Limits

    def record(self, endpoint: str, source_id: str | None, adapter: str | None) -> InputRecord:
        """What is kept of the request: credentials removed, body capped."""
        request = self.request
        kept_headers = {name: value for name, value in self.headers.items()
                        if name.lower() not in CREDENTIAL_HEADERS}
        return InputRecord(
            received_at=format_time(self.at), endpoint=endpoint, method=request.method, path=request.path,
            body=self.body.data[: self.limits.max_kept_body_bytes], body_size=self.body.size, source_id=source_id,
            adapter=adapter, query=masked_query(request.query_string), headers=kept_headers,
            remote_addr=request.remote_addr,
        )

    def inbound(self, query: dict[str, list[str]] | None = None) -> InboundRequest:
        """The framework-neutral view of the request that adapters receive (`query`: other than the URL's)."""
        request = self.request
        return InboundRequest(
            method=request.method,
            path=request.path,
            headers=Headers(self.headers),
            body=self.body.data,
            query=request.args if query is None else query,
            received_at=self.at,
            remote_addr=request.remote_addr,
            max_json_depth=self.limits.max_json_depth,
        )


NO_BODY = ReceivedBody(b"", 0, False)


def receive(request: WsgiRequest, limits: Limits, at: datetime, *, with_body: bool = True) -> Received:
    """Read the request's headers and (unless `with_body` is False: a pixel's GET) its body within the limits."""
    body = read_body(request, limits) if with_body else NO_BODY
    return Received(request, request_headers(request), body, at, limits)


def refuse_unreadable_body(received: Received) -> None:
    """Refuse a body that could not be read whole, or is over the request limit (its beginning is kept)."""
    if received.body.unreadable:
        raise ProblemError("invalid-body", [Problem(
            "body", received.body.unreadable, "a body framed as HTTP/1.1 says: a Content-Length the body matches, "
            "or valid chunked transfer encoding")])
    if received.body.too_large:
        raise ProblemError("too-large", [Problem(
            "body", f"<{received.body.size} bytes>",
            f"a body of at most {received.limits.max_request_bytes} bytes; split the batch")])
