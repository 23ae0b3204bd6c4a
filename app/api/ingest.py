"""Ingestion handlers: `POST /v1/events` (write key) and `POST /v1/webhooks/<source>` (signature).

They take a `WsgiRequest` (the environ, read as needed) and return an `Outcome` (or an adapter's `Reply`), so that
the hot path (app/api/hot_path.py) can serve them without Flask's per-request machinery.
"""

from __future__ import annotations

from adapters.base import Problem, Reply
from app.auth import credential_from_header
from app.gateway import Gateway
from app.http_input import ReceivedBody, WsgiRequest, inbound_request, input_record, read_body, request_headers
from app.ingest import Outcome
from app.problems import ProblemError
from app.storage.records import InputRecord


def handle_events(gateway: Gateway, request: WsgiRequest) -> Outcome | Reply:
    """Ingest one canonical event or a batch, authenticated by the source's write key."""
    received_at = gateway.clock()
    limits = gateway.config.limits
    body = read_body(request, limits)
    headers = request_headers(request)
    source = gateway.write_keys.source_for(credential_from_header(headers.get("Authorization", "")))
    record = input_record(request, headers, body, received_at, "events", limits,
                          source_id=source.id if source else None, adapter="canonical")
    if source is None:
        raise gateway.ingestor.refuse(record, ProblemError("unauthorized", [Problem(
            "Authorization", "<missing>" if "Authorization" not in headers else "<not a known write key>",
            "Bearer <write key of an enabled source> (see tagway.toml or `tagway init`)")]))
    gateway.rate_limits.check(source.id, source.rate_limit)
    _refuse_if_too_large(gateway, record, body)
    inbound = inbound_request(request, headers, body.data, received_at, limits)
    return gateway.intake.events_api(inbound, record, source)


def handle_webhook(gateway: Gateway, request: WsgiRequest, source_id: str) -> Outcome | Reply:
    """Receive a provider's webhook for a configured source and run it through its adapter."""
    received_at = gateway.clock()
    limits = gateway.config.limits
    body = read_body(request, limits)
    headers = request_headers(request)
    source = gateway.config.sources.get(source_id)
    adapter = gateway.adapters.get(source.adapter) if source else None
    record = input_record(request, headers, body, received_at, "webhook", limits,
                          source_id=source.id if source else None, adapter=adapter.name if adapter else None)
    if source is None or adapter is None or not source.enabled:
        known = ", ".join(sorted(s for s, c in gateway.config.sources.items() if c.enabled)) or "none"
        raise gateway.ingestor.refuse(record, ProblemError("not-found", [Problem(
            "source", source_id, f"the id of an enabled source in tagway.toml (enabled: {known})")]))
    gateway.rate_limits.check(source.id, source.rate_limit)
    _refuse_if_too_large(gateway, record, body)
    inbound = inbound_request(request, headers, body.data, received_at, limits)
    return gateway.intake.webhook(inbound, record, source, adapter)


def _refuse_if_too_large(gateway: Gateway, record: InputRecord, body: ReceivedBody) -> None:
    if body.too_large:
        limit = gateway.config.limits.max_request_bytes
        raise gateway.ingestor.refuse(record, ProblemError("too-large", [Problem(
            "body", f"<{body.size} bytes>", f"a body of at most {limit} bytes; split the batch")]))

