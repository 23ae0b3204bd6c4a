"""`POST /v1/events`: canonical events (one, or a batch) from a server or an app, authenticated by a write key."""

from __future__ import annotations

from adapters.base import Adapter, Problem
from app.auth import credential_from_header
from app.config.model import SourceConfig
from app.gateway import Gateway
from app.ingest.outcome import Outcome
from app.ingest.request import Received, WsgiRequest, receive, refuse_unreadable_body
from app.problems import ProblemError
from app.sources.pending import refuse_if_pending
from app.storage.records import InputRecord


def handle_events(gateway: Gateway, request: WsgiRequest) -> Outcome:
    """Ingest one canonical event or a batch, authenticated by the source's write key."""
    received = receive(request, gateway.config.limits, gateway.clock())
    source = gateway.sources.by_write_key(credential_from_header(received.headers.get("Authorization", "")))
    adapter = gateway.events_api_adapter
    record = received.record("events", source.id if source else None, adapter.name)
    return gateway.pipeline.run(record, _ingest, gateway, received, record, source, adapter)


def _ingest(gateway: Gateway, received: Received, record: InputRecord, source: SourceConfig | None,
            adapter: Adapter) -> Outcome:
    if source is None:
        raise ProblemError("unauthorized", [Problem(
            "Authorization", "<missing>" if "Authorization" not in received.headers else "<not a known write key>",
            "Bearer <write key of an enabled source> (see tagway.toml or `tagway init`)")])
    refuse_if_pending(source)
    gateway.rate_limits.check(source.id, source.rate_limit)
    refuse_unreadable_body(received)
    return gateway.pipeline.events_api(received.inbound(), record, source, adapter)

