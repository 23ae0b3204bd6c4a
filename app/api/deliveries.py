"""Admin routes for deliveries: counts per destination, the rows (dead letters with their errors), replay."""

from __future__ import annotations

from flask import Blueprint, Response, request

from adapters.base import PayloadInvalid, Problem
from adapters.jsonbody import parse_json
from adapters.times import format_time
from app.api.admin import json_response, load_args, require_admin
from app.api.schemas import DeliveryItemsQuery, DeliveryReplaySchema
from app.delivery.router import ENRICH
from app.gateway import current_gateway
from app.problems import ProblemError
from app.storage.outbox import STATUSES

blueprint = Blueprint("deliveries", __name__)
blueprint.before_request(require_admin)


@blueprint.get("/v1/deliveries")
def overview() -> Response:
    """Each destination with its delivered / pending / in-flight / dead counts."""
    gateway = current_gateway()
    counts = gateway.storage.delivery_counts()
    empty = dict.fromkeys(STATUSES, 0)
    destinations = [{"id": d.id, "type": d.kind, "title": d.config.title or d.id, "enabled": d.config.enabled,
                     "counts": counts.get(d.id, empty)} for d in gateway.destinations]
    return json_response({"destinations": destinations, "enrichment": counts.get(ENRICH, empty)})


@blueprint.get("/v1/deliveries/items")
def items() -> Response:
    """Deliveries, newest first; `status=dead` lists the dead letters with their last error."""
    args = load_args(DeliveryItemsQuery)
    rows = current_gateway().storage.deliveries(args.get("destination"), args.get("status"), args.get("before"),
                                                args["limit"])
    return json_response({"items": rows, "next": rows[-1]["id"] if len(rows) == args["limit"] else None})


@blueprint.post("/v1/deliveries/replay")
def replay() -> Response:
    """Queue deliveries again: dead letters by default, or delivered ones too; by destination, time or ids."""
    raw = request.get_data()
    try:
        # Only an empty body means "no body": whitespace alone is not JSON (RFC 8259), so it is refused.
        body = parse_json(raw) if raw else {}
    except PayloadInvalid as error:
        raise ProblemError("invalid-json", error.problems) from None
    if not isinstance(body, dict):
        raise ProblemError("invalid-parameter", [Problem("body", body, "a JSON object (or no body)")])
    args = load_args(DeliveryReplaySchema, body)
    gateway = current_gateway()
    known = {d.id for d in gateway.destinations} | {ENRICH}
    if args.get("destination") is not None and args["destination"] not in known:
        raise ProblemError("invalid-parameter", [Problem("destination", args["destination"],
                                                         "a configured destination: " + ", ".join(sorted(known)))])
    count = gateway.storage.requeue(format_time(gateway.clock()), destination=args.get("destination"),
                                    dead_only=args["deadOnly"], since=args.get("since"), until=args.get("until"),
                                    event_ids=args["eventIds"], outbox_ids=args["ids"])
    return json_response({"requeued": count})
