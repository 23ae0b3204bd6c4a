"""Replaying a kept rejection once the adapter or the configuration is fixed."""

from __future__ import annotations

from typing import Any

from adapters.base import Headers, InboundRequest, Problem, Reply
from adapters.times import format_time, parse_time
from app.gateway import Gateway
from app.http_input import query_parameters
from app.ingest import Outcome
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
    source = gateway.config.sources.get(source_id or rejection["sourceId"] or "")
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
    source = gateway.config.sources[source_id]
    try:
        if endpoint == "collect":
            return gateway.intake.collect(inbound, record, source, gateway.adapters[source.adapter])
        if endpoint == "webhook":
            adapter = gateway.adapters[source.adapter]
            result = gateway.intake.webhook(inbound, record, source, adapter)
            if isinstance(result, Reply):
                return Outcome(result.status, {"reply": result.body.decode("utf-8", "replace")})
            return result
        return gateway.intake.events_api(inbound, record, source)
    except ProblemError as error:
        return Outcome(error.status, error.body(), problem=True)


def _inbound(kept: dict[str, Any], body: bytes, max_json_depth: int) -> InboundRequest:
    headers = dict(kept["headers"])
    if kept["endpoint"] == "events":
        headers["Content-Type"] = headers.get("Content-Type", "application/json")
    return InboundRequest(
        method=kept["method"], path=kept["path"], headers=Headers(headers), body=body,
        query=query_parameters(kept["query"]), received_at=parse_time(kept["receivedAt"]),
        remote_addr=kept["remoteAddr"], max_json_depth=max_json_depth)


def _summary(outcome: Outcome) -> str:
    if outcome.problem:
        return f"refused again ({outcome.status}): rejection {outcome.body.get('rejectionId')}"
    body = outcome.body
    return f"accepted {body.get('accepted', 0)}, stored {body.get('stored', 0)}, rejected {body.get('rejected', 0)}"
