"""Replaying a kept rejection once the adapter or the configuration is fixed."""

from __future__ import annotations

from typing import Any

from adapters.base import Headers, InboundRequest, Problem
from adapters.times import format_time, parse_time
from app.gateway import Gateway
from app.ingest.outcome import Outcome
from app.ingest.request import query_parameters
from app.problems import ProblemError
from app.storage.records import InputRecord


def replay_rejection(gateway: Gateway, rejection_id: int, source_id: str | None = None) -> Outcome:
    """Run a kept input (or one kept event of a batch) through ingestion again, as at its arrival."""
    rejection = gateway.storage.get_rejection(rejection_id)
    if rejection is None:
        raise ProblemError("not-found", [Problem("id", rejection_id, "the id of a kept rejection")])
    kept = rejection["input"]
    if kept is None:
        raise ProblemError("not-replayable", [Problem("id", rejection_id, "a rejection whose input was kept")])
    source = gateway.sources.get(source_id or rejection["sourceId"] or "")
    if source is None:
        raise ProblemError("not-replayable", [Problem(
            "source", source_id or rejection["sourceId"],
            "a configured source: pass ?source=<id> for inputs refused before their source was known")])
    body = rejection["eventBody"] if rejection["eventIndex"] is not None else kept["body"]
    if rejection["eventIndex"] is None and len(kept["body"]) < kept["bodySize"]:
        raise ProblemError("not-replayable", [Problem(
            "body", f"<{kept['bodySize']} bytes, {len(kept['body'])} kept>", "a body kept in full")])
    inbound = _inbound(kept, body, gateway.config.limits.max_json_depth)
    record = InputRecord(received_at=kept["receivedAt"], endpoint=kept["endpoint"], method=kept["method"],
                         path=kept["path"], body=body, body_size=len(body), source_id=source.id,
                         adapter=kept["adapter"], query=kept["query"], headers=kept["headers"],
                         remote_addr=kept["remoteAddr"])
    outcome = _run(gateway, kept["endpoint"], inbound, record, source.id)
    gateway.storage.mark_replayed(rejection_id, format_time(gateway.clock()), _summary(outcome))
    return outcome


def _run(gateway: Gateway, endpoint: str, inbound: InboundRequest, record: InputRecord, source_id: str) -> Outcome:
    source = gateway.sources.all()[source_id]
    pipeline = gateway.pipeline
    if endpoint == "collect":
        return pipeline.run(record, pipeline.collect, inbound, record, source, gateway.adapters[source.adapter])
    if endpoint == "webhook":
        outcome = pipeline.run(record, pipeline.webhook, inbound, record, source, gateway.adapters[source.adapter])
        if isinstance(outcome.body, bytes):  # the adapter's handshake answer
            return Outcome(outcome.status, {"reply": outcome.body.decode("utf-8", "replace")})
        return outcome
    if endpoint == "segment":
        return pipeline.run(record, pipeline.tracking_api, inbound, record, source, gateway.adapters[source.adapter])
    adapter = gateway.events_api_adapter
    return pipeline.run(record, pipeline.events_api, inbound, record, source, adapter)


def _inbound(kept: dict[str, Any], body: bytes, max_json_depth: int) -> InboundRequest:
    headers = dict(kept["headers"])
    if kept["endpoint"] == "events":
        headers["Content-Type"] = headers.get("Content-Type", "application/json")
    return InboundRequest(
        method=kept["method"], path=kept["path"], headers=Headers(headers), body=body,
        query=query_parameters(kept["query"]), received_at=parse_time(kept["receivedAt"]),
        remote_addr=kept["remoteAddr"], max_json_depth=max_json_depth)


def _summary(outcome: Outcome) -> str:
    body = outcome.data
    if outcome.problem:
        return f"refused again ({outcome.status}): rejection {body.get('rejectionId')}"
    return f"accepted {body.get('accepted', 0)}, stored {body.get('stored', 0)}, rejected {body.get('rejected', 0)}"
