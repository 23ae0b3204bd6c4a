"""`POST /v1/webhooks/<source>`: a provider's webhook, verified and parsed by the source's adapter."""

from __future__ import annotations

from adapters.base import Adapter, Problem
from app.config.model import SourceConfig
from app.gateway import Gateway
from app.ingest.outcome import Outcome
from app.ingest.request import Received, WsgiRequest, receive, refuse_unreadable_body
from app.problems import ProblemError
from app.sources.pending import refuse_if_pending
from app.storage.records import InputRecord


def handle_webhook(gateway: Gateway, request: WsgiRequest, source_id: str) -> Outcome:
    """Receive a provider's webhook for a configured source and run it through its adapter."""
    received = receive(request, gateway.config.limits, gateway.clock())
    source = gateway.sources.get(source_id)
    adapter = gateway.adapters.get(source.adapter) if source else None
    record = received.record("webhook", source.id if source else None, adapter.name if adapter else None)
    return gateway.pipeline.run(record, _ingest, gateway, received, record, source_id, source, adapter)


def _ingest(gateway: Gateway, received: Received, record: InputRecord, source_id: str,
            source: SourceConfig | None, adapter: Adapter | None) -> Outcome:
    if source is None or adapter is None or not source.enabled:
        known = ", ".join(sorted(s.id for s in gateway.sources.enabled())) or "none"
        raise ProblemError("not-found", [Problem(
            "source", source_id, f"the id of an enabled source (enabled: {known})")])
    if not adapter.receives_webhooks:
        raise ProblemError("not-found", [Problem(
            "source", source_id, f"a source that receives webhooks; {adapter.title} sources send to /v1/collect "
            "with their write key (k=<write key>)")])
    refuse_if_pending(source)
    gateway.rate_limits.check(source.id, source.rate_limit)
    refuse_unreadable_body(received)
    return gateway.pipeline.webhook(received.inbound(), record, source, adapter)
