"""Ingestion routes: `POST /v1/events` (write key) and `POST /v1/webhooks/<source>` (signature)."""

from __future__ import annotations

import logging

import orjson
from flask import Blueprint, Response, request

from adapters.base import Problem, Reply
from app.auth import presented_credential
from app.gateway import Gateway, current_gateway
from app.http_input import ReceivedBody, inbound_request, input_record, read_body
from app.ingest import Outcome
from app.problems import PROBLEM_CONTENT_TYPE, ProblemError
from app.storage.records import InputRecord

blueprint = Blueprint("ingest", __name__)
log = logging.getLogger("tagway.ingest")


@blueprint.post("/v1/events")
def post_events() -> Response:
    """Ingest one canonical event or a batch, authenticated by the source's write key."""
    gateway = current_gateway()
    received_at = gateway.clock()
    body = read_body(request, gateway.config.limits)
    source = gateway.write_keys.source_for(presented_credential(request))
    record = input_record(request, body, received_at, "events", gateway.config.limits,
                          source_id=source.id if source else None, adapter="canonical")
    if source is None:
        raise gateway.ingestor.refuse(record, ProblemError("unauthorized", [Problem(
            "Authorization", "<missing>" if not request.headers.get("Authorization") else "<not a known write key>",
            "Bearer <write key of an enabled source> (see tagway.toml or `tagway init`)")]))
    gateway.rate_limits.check(source.id, source.rate_limit)
    _refuse_if_too_large(gateway, record, body)
    inbound = inbound_request(request, body.data, received_at, gateway.config.limits)
    return _respond(gateway.intake.events_api(inbound, record, source))


@blueprint.post("/v1/webhooks/<source_id>")
def post_webhook(source_id: str) -> Response:
    """Receive a provider's webhook for a configured source and run it through its adapter."""
    gateway = current_gateway()
    received_at = gateway.clock()
    body = read_body(request, gateway.config.limits)
    source = gateway.config.sources.get(source_id)
    adapter = gateway.adapters.get(source.adapter) if source else None
    record = input_record(request, body, received_at, "webhook", gateway.config.limits,
                          source_id=source.id if source else None, adapter=adapter.name if adapter else None)
    if source is None or adapter is None or not source.enabled:
        known = ", ".join(sorted(s for s, c in gateway.config.sources.items() if c.enabled)) or "none"
        raise gateway.ingestor.refuse(record, ProblemError("not-found", [Problem(
            "source", source_id, f"the id of an enabled source in tagway.toml (enabled: {known})")]))
    gateway.rate_limits.check(source.id, source.rate_limit)
    _refuse_if_too_large(gateway, record, body)
    inbound = inbound_request(request, body.data, received_at, gateway.config.limits)
    return _respond(gateway.intake.webhook(inbound, record, source, adapter))


def _refuse_if_too_large(gateway: Gateway, record: InputRecord, body: ReceivedBody) -> None:
    if body.too_large:
        limit = gateway.config.limits.max_request_bytes
        raise gateway.ingestor.refuse(record, ProblemError("too-large", [Problem(
            "body", f"<{body.size} bytes>", f"a body of at most {limit} bytes; split the batch")]))


def _respond(outcome: Outcome | Reply) -> Response:
    if isinstance(outcome, Reply):
        return Response(outcome.body, status=outcome.status, content_type=outcome.content_type)
    mimetype = PROBLEM_CONTENT_TYPE if outcome.problem else "application/json"
    return Response(orjson.dumps(outcome.body), status=outcome.status, mimetype=mimetype)
