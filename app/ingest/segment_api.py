"""Segment's HTTP Tracking API (`/v1/track`, `/v1/batch`, ...): what Segment's and RudderStack's libraries send.

A source whose adapter serves the tracking API is found by its write key, sent as the HTTP Basic user name
(Segment's Node, Go, Java and mobile libraries, RudderStack's) or as `writeKey` in the body (Segment's Python
library). The answer is Segment's: 200 `{"success": true}` (with tagway's counts), and a problem body that also
carries the `code` and `message` Segment's libraries read from an error.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from typing import Any

import orjson

from adapters.base import Adapter, Problem
from app.auth import credential_from_header
from app.config.model import SourceConfig
from app.gateway import Gateway
from app.ingest.collect import cors_headers
from app.ingest.outcome import Outcome
from app.ingest.request import MASK, Received, ReceivedBody, WsgiRequest, receive, refuse_unreadable_body
from app.problems import ProblemError
from app.storage.records import InputRecord

ENDPOINT = "segment"
"""The endpoint name of kept inputs (a replay runs them through the source's adapter again)."""
MAX_CALL_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
"""Segment's documented limits: "32KB per call ... 500KB per batch" (HTTP Tracking API, Max request size)."""
BATCH_PATHS = frozenset({"/v1/batch", "/v1/import", "/v1/b"})
TRACKING_PATHS = ("/v1/track", "/v1/page", "/v1/screen", "/v1/identify", "/v1/group", "/v1/alias", "/v1/batch",
                  "/v1/import", "/v1/t", "/v1/p", "/v1/s", "/v1/i", "/v1/g", "/v1/a", "/v1/b")
"""The tracking API's paths: Segment's HTTP API, and the one-letter ones Segment's own libraries post to."""
_WRITE_KEY_FIELD = b'"writeKey"'
_MIN_LITERAL_KEY = 12
"""A body's key shorter than this is masked in its field only: replacing it everywhere could change other text."""


def handle_tracking_call(gateway: Gateway, request: WsgiRequest) -> Outcome:
    """One call or a batch of Segment's HTTP Tracking API, authenticated by the source's write key."""
    received = receive(request, gateway.config.limits, gateway.clock())
    received, undecodable = _decoded(received)
    key = credential_from_header(received.headers.get("Authorization", ""))
    body_key = _body_write_key(received.body.data)
    source = gateway.sources.by_write_key(key or body_key)
    adapter = gateway.adapters.get(source.adapter) if source else None
    record = received.record(ENDPOINT, source.id if source else None, adapter.name if adapter else None)
    # The key is a secret: never kept, shown or replayed (analytics.js writes it into each call of a batch too).
    kept = received.body.data
    if body_key:
        kept = _without_key(kept, body_key)
    if source is not None and key and key.encode() in kept:  # a source's key: long, never a common word
        kept = kept.replace(key.encode(), MASK.encode())
    if kept is not received.body.data:
        record.body = kept[: gateway.config.limits.max_kept_body_bytes]
    outcome = gateway.pipeline.run(record, _ingest, gateway, received, record, source, adapter, undecodable)
    # analytics.js posts from the browser (text/plain: no preflight); the source's allowed origins may read the answer.
    outcome.headers.update(cors_headers(gateway, source, request.header("Origin")))
    return segment_answer(outcome)


def _ingest(gateway: Gateway, received: Received, record: InputRecord, source: SourceConfig | None,
            adapter: Adapter | None, undecodable: ProblemError | None) -> Outcome:
    if source is None or adapter is None:
        raise ProblemError("unauthorized", [Problem(
            "Authorization", "<missing>" if "Authorization" not in received.headers else "<not a known write key>",
            "the write key of an enabled Segment-compatible source: the HTTP Basic user name (empty password), "
            "or writeKey in the body")], headers={"WWW-Authenticate": 'Basic realm="tagway"'})
    if not adapter.serves_tracking_api:
        serving = ", ".join(sorted(n for n, a in gateway.adapters.items() if a.serves_tracking_api))
        raise ProblemError("unauthorized", [Problem(
            "Authorization", f"<write key of source {source.id!r}>",
            f"the write key of a source whose adapter takes Segment calls ({serving}); {source.adapter!r} does not "
            "(`tagway sources add segment` adds one)")])
    gateway.rate_limits.check(source.id, source.rate_limit)
    if undecodable is not None:
        raise undecodable
    refuse_unreadable_body(received)
    batch = received.request.path.rstrip("/") in BATCH_PATHS
    limit = MAX_BATCH_BYTES if batch else MAX_CALL_BYTES
    if received.body.size > limit:
        raise ProblemError("too-large", [Problem(
            "body", f"<{received.body.size} bytes>",
            f"at most {limit // 1024} KB per {'batch' if batch else 'call (send more in /v1/batch)'}, "
            "as Segment's HTTP Tracking API")])
    return gateway.pipeline.tracking_api(received.inbound(), record, source, adapter)


def segment_answer(outcome: Outcome) -> Outcome:
    """Segment's answer: `{"success": true}` with the counts (and a batch's refused calls), or the problem + code."""
    body = outcome.data
    if outcome.problem:
        first = body.get("errors", [{}])[0] if body.get("errors") else {}
        summary = f"{first['field']}: expected {first['expectation']}" if first else body.get("title", "")
        body["code"] = str(body.get("type", "")).rsplit(":", 1)[-1]
        body["message"] = f"{body.get('title', '')}: {summary}" if first else summary
        return outcome
    answer: dict[str, Any] = {"success": True}
    for key in ("accepted", "stored", "duplicates", "rejected"):
        answer[key] = body.get(key, 0)
    refused = [item for item in body.get("results", ()) if item.get("status") == "rejected"]
    if refused:
        answer["results"] = refused
    return Outcome(outcome.status, answer, outcome.content_type, outcome.headers)


def _body_write_key(body: bytes) -> str | None:
    """`writeKey` in the body (Segment's Python library sends it there), or None."""
    if _WRITE_KEY_FIELD not in body:
        return None
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    key = payload.get("writeKey") if isinstance(payload, dict) else None
    return key if isinstance(key, str) and key else None


def _without_key(body: bytes, key: str) -> bytes:
    """The body with its write key masked (before it is cut to the kept size, so no part of it stays)."""
    literal = key.encode()
    if len(literal) >= _MIN_LITERAL_KEY and literal in body:  # everywhere: analytics.js repeats it in each call
        return body.replace(literal, MASK.encode())
    payload = json.loads(body)  # a short guess, or the key written with escapes: the body without it
    payload["writeKey"] = MASK
    return json.dumps(payload, ensure_ascii=False).encode()


def _decoded(received: Received) -> tuple[Received, ProblemError | None]:
    """A gzip body (RudderStack's libraries compress by default) decompressed within the request limit."""
    encoding = received.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity") or received.body.unreadable or received.body.too_large:
        return received, None
    limits = received.limits
    if encoding != "gzip":
        return received, ProblemError("unsupported-media-type", [Problem(
            "Content-Encoding", encoding, "gzip, or no Content-Encoding")])
    decompressor = zlib.decompressobj(wbits=31)  # 31: the gzip container
    try:
        data = decompressor.decompress(received.body.data, limits.max_request_bytes + 1)
    except zlib.error as error:
        return received, ProblemError("invalid-body", [Problem(
            "body", f"<{received.body.size} bytes: {error}>", "a gzip stream, as Content-Encoding: gzip says")])
    too_large = len(data) > limits.max_request_bytes or bool(decompressor.unconsumed_tail)
    if not too_large and not decompressor.eof:
        return received, ProblemError("invalid-body", [Problem(
            "body", f"<{received.body.size} bytes>", "a whole gzip stream: this one is cut short")])
    headers = {name: value for name, value in received.headers.items() if name != "Content-Encoding"}
    body = ReceivedBody(data[: limits.max_kept_body_bytes] if too_large else data, len(data), too_large)
    return replace(received, headers=headers, body=body), None
