"""`/v1/collect`: browsers (the GTM web template's sendPixel, or fetch/sendBeacon) and the server template.

GET (a pixel) answers a 1×1 GIF when the input is taken (200, or 202 for a chunk), and a problem body
otherwise: the browser's image load then fails, so that GTM's `sendPixel` calls the tag's failure and
Tag Assistant shows *Failed* (an `<img>` loads an image body whatever the status). Both carry the
outcome in `X-Tagway-Result` or `X-Tagway-Problem` / `X-Tagway-Rejection`; the refused input is kept
like everywhere else. POST answers JSON, with CORS for the origins the source allows.
"""

from __future__ import annotations

import base64
import fnmatch
import re
from typing import Any
from urllib.parse import urlencode

from werkzeug.http import dump_cookie, parse_cookie

from adapters.base import Problem
from app.auth import credential_from_header
from app.config.model import SourceConfig
from app.gateway import Gateway
from app.ingest.outcome import Outcome
from app.ingest.request import (
    Received,
    WsgiRequest,
    masked_query,
    query_parameters,
    receive,
    refuse_unreadable_body,
)
from app.problems import ProblemError
from app.sources.pending import refuse_if_pending
from app.storage.records import InputRecord

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# Cache-Control alone: RFC 9111 deprecates Pragma, and a cache that knows max-age ignores Expires.
NO_CACHE = {"Cache-Control": "no-store, no-cache, must-revalidate, max-age=0"}
MAX_CHUNKS = 64
CORS_HEADERS = "Content-Type, Authorization"
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
"""CORS of a source that answers any origin: readable without credentials, Retry-After readable too."""
ID_COOKIE_VALUE = re.compile(r"[A-Za-z0-9-]{8,64}")
"""An anonymous id as browser SDKs make them (a UUID): anything else in the cookie is not set back."""
ID_COOKIE_MAX_AGE = 365 * 24 * 3600


def handle_collect_get(gateway: Gateway, request: WsgiRequest) -> Outcome:
    """A pixel: the payload in the query string; the GIF when taken, a problem body (no image) when refused."""
    received = receive(request, gateway.config.limits, gateway.clock(), with_body=False)
    source = gateway.sources.by_write_key(request.arg("k"))
    record = received.record("collect", source.id if source else None, source.adapter if source else None)
    return as_pixel_answer(gateway.pipeline.run(record, _collect_get, gateway, received, record, source))


def as_pixel_answer(outcome: Outcome) -> Outcome:
    """The answer to a pixel: never cached, its outcome in headers; the GIF only when the input was taken."""
    outcome.headers.update(NO_CACHE)
    if outcome.problem:
        outcome.headers.update(problem_headers(outcome.data))
        return outcome
    outcome.headers["X-Tagway-Result"] = _result_summary(outcome)
    return Outcome(outcome.status, GIF, "image/gif", outcome.headers)


def problem_headers(body: dict[str, Any]) -> dict[str, str]:
    """A problem body told in headers, for answers whose body must be an image."""
    first = body["errors"][0] if body.get("errors") else None
    slug = str(body.get("type", "")).rsplit(":", 1)[-1]
    summary = slug + (f"; {first['field']}: expected {first['expectation']}" if first else "")
    headers = {"X-Tagway-Problem": _header_text(summary)}
    if "rejectionId" in body:
        headers["X-Tagway-Rejection"] = str(body["rejectionId"])
    return headers


def _collect_get(gateway: Gateway, received: Received, record: InputRecord, source: SourceConfig | None) -> Outcome:
    request = received.request
    source = _authorized(gateway, record, source)
    query = dict(request.args)
    if "n" in query:
        assembled = _assemble(gateway, source, record, request)
        if assembled is None:
            return Outcome(202, {"chunk": request.arg("c"), "of": request.arg("n")})
        query["d"] = [assembled]
        # The kept input holds the assembled payload, as if sent whole, so that a refusal can be replayed.
        record.query = _whole_query(query)
    outcome = gateway.pipeline.collect(received.inbound(query), record, source, gateway.adapters[source.adapter])
    if "n" in query:
        gateway.storage.delete_chunks(source.id, request.arg("i") or "")
    return outcome


def handle_collect_post(gateway: Gateway, request: WsgiRequest) -> Outcome:
    """The payload (or a batch) in the body, for payloads too long for a URL; CORS for allowed origins."""
    received = receive(request, gateway.config.limits, gateway.clock())
    key = request.arg("k") or credential_from_header(received.headers.get("Authorization", ""))
    source = gateway.sources.by_write_key(key)
    record = received.record("collect", source.id if source else None, source.adapter if source else None)
    outcome = gateway.pipeline.run(record, _collect_post, gateway, received, record, source)
    outcome.headers.update(cors_headers(gateway, source, request.header("Origin")))
    if source is not None and outcome.status == 200:
        outcome.headers.update(id_cookie_refresh(gateway, source, request))
    return outcome


def id_cookie_refresh(gateway: Gateway, source: SourceConfig, request: WsgiRequest) -> dict[str, str]:
    """Set-Cookie of the id cookie the browser sent, when the source's gateway is first-party.

    A script-written cookie expires after seven days in WebKit; one set by an HTTP answer from the site's own
    domain does not.
    """
    cookie = gateway.adapters[source.adapter].id_cookie(source.as_adapter_source())
    if cookie is None:
        return {}
    name, domain = cookie
    value = parse_cookie(request.header("Cookie") or "").get(name)
    if not value or not ID_COOKIE_VALUE.fullmatch(value):
        return {}
    secure = (request.header("Origin") or "").startswith("https:")
    return {"Set-Cookie": dump_cookie(name, value, max_age=ID_COOKIE_MAX_AGE, domain=domain, path="/",
                                      secure=secure, httponly=False, samesite="Lax")}


def _collect_post(gateway: Gateway, received: Received, record: InputRecord, source: SourceConfig | None) -> Outcome:
    source = _authorized(gateway, record, source)
    refuse_unreadable_body(received)
    return gateway.pipeline.collect(received.inbound(), record, source, gateway.adapters[source.adapter])


def handle_collect_preflight(gateway: Gateway, request: WsgiRequest) -> Outcome:
    """CORS preflight of POST /v1/collect (a JSON content type or an Authorization header)."""
    source = gateway.sources.by_write_key(request.arg("k"))
    headers = cors_headers(gateway, source, request.header("Origin"), preflight=True)
    if not headers:
        return Outcome(403, b"", "text/plain; charset=utf-8", {"Vary": "Origin"})
    headers.update({"Access-Control-Allow-Methods": "POST, GET, OPTIONS", "Access-Control-Allow-Headers": CORS_HEADERS,
                    "Access-Control-Max-Age": "86400"})
    return Outcome(204, b"", "text/plain; charset=utf-8", headers)


def cors_headers(gateway: Gateway, source: SourceConfig | None, origin: str | None,
                 preflight: bool = False) -> dict[str, str]:
    """CORS headers when `origin` is allowed by the source (or, before the source is known, by any source).

    A source whose adapter `answers_any_origin` (the builder pixels) is answered `*` whatever the origin; so is
    a post whose write key is unknown while such a source exists (its 401 readable, not retried), but never a
    preflight: pixels send simple requests, and a preflight without a known source opens nothing more.
    """
    if not origin:
        return {}
    candidates = [source] if source is not None else gateway.sources.enabled()
    any_origin = [c for c in candidates if gateway.adapters[c.adapter].answers_any_origin
                  and not (preflight and source is None)]
    echoed = source is None or not any_origin  # a known pixel source is answered `*` even where it allows origins
    if echoed and any(origin_allowed(origin, c.allowed_origins) for c in candidates):
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        if source is not None and gateway.adapters[source.adapter].id_cookie(source.as_adapter_source()):
            headers["Access-Control-Allow-Credentials"] = "true"  # the SDK sends the id cookie to be refreshed
        return headers
    if any_origin:
        # The write key authenticates the pixel and it sends no credentials, so any page may read the status:
        # `*` is the one answer a sandboxed pixel (Shopify's, whose origin is `null`) can read without
        # answering `null`, which every sandbox and data: page would share. Retry-After tells it when to retry.
        return dict(ANY_ORIGIN)
    return {}


def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    """Whether `origin` matches an allowed origin (`*`, an exact origin, or `https://*.example.com`)."""
    return any(pattern == "*" or fnmatch.fnmatchcase(origin, pattern) for pattern in allowed)


def _authorized(gateway: Gateway, record: InputRecord, source: SourceConfig | None) -> SourceConfig:
    if source is None:
        raise ProblemError("unauthorized", [Problem(
            "k", "<missing>" if "k" not in query_parameters(record.query) else "<not a known write key>",
            "the write key of an enabled source (k=<write key>)")])
    if not gateway.adapters[source.adapter].collects_from_browsers:
        collecting = ", ".join(sorted(n for n, a in gateway.adapters.items() if a.collects_from_browsers))
        raise ProblemError("invalid-payload", [Problem(
            "k", f"<write key of source {source.id!r}>",
            f"the write key of a source whose adapter takes browser events ({collecting}); "
            f"{source.adapter!r} does not")])
    refuse_if_pending(source)
    gateway.rate_limits.check(source.id, source.rate_limit)
    return source


def _assemble(gateway: Gateway, source: SourceConfig, record: InputRecord, request: WsgiRequest) -> str | None:
    """Keep one chunk; the whole base64 text once every chunk has arrived."""
    payload_id, data = request.arg("i") or "", request.arg("d") or ""
    try:
        count, index = int(request.arg("n") or ""), int(request.arg("c") or "")
    except ValueError:
        count = index = -1
    problems = []
    if not 2 <= count <= MAX_CHUNKS:
        problems.append(Problem("n", request.arg("n"), f"the number of chunks, 2 to {MAX_CHUNKS}"))
    if not 0 <= index < max(count, 1):
        problems.append(Problem("c", request.arg("c"), "the chunk's index, from 0 to n - 1"))
    if not 0 < len(payload_id) <= 100:
        problems.append(Problem("i", payload_id or None,
                                "the payload's id (1 to 100 characters), the same in each chunk"))
    if not data:
        problems.append(Problem("d", None, "this chunk of the payload's base64 text"))
    if problems:
        raise ProblemError("invalid-payload", problems)
    chunks = gateway.storage.add_chunk(source.id, payload_id, index, count, data, record.received_at)
    return "".join(chunks) if chunks is not None else None


def _whole_query(query: dict[str, list[str]]) -> str:
    """The query string of an assembled payload (as if sent whole), its write key masked."""
    return masked_query(urlencode([(k, v) for k, values in query.items() for v in values if k not in ("c", "n")]))


def _result_summary(outcome: Outcome) -> str:
    body = outcome.data
    if "chunk" in body:
        return f"chunk {body['chunk']} of {body['of']} kept"
    return f"stored {body.get('stored', 0)}, duplicates {body.get('duplicates', 0)}, rejected {body.get('rejected', 0)}"


def _header_text(text: str) -> str:
    """A header value: one line of printable ASCII."""
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in text)[:300]
