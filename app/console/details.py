"""One event beside the request it came from; one rejection with its reason as field / value / expectation."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from app.console.present import REASONS, Scrubber, refused_event, show_body, show_input
from app.console.queries import event_by_seq
from app.gateway import current_gateway
from app.projections.people.queries import People

blueprint = Blueprint("details", __name__)
MAX_ROW_ID = 2**63 - 1  # SQL's BIGINT: a larger number names no row (and would overflow the driver)


def _not_found(what: str, number: int) -> Response:
    page = render_template("console/message.html", title=f"No {what} {number}",
                           detail=f"There is no {what} with the number {number}. Go back to the live events.")
    return Response(page, status=404)


@blueprint.get("/events/<int:seq>")
def event(seq: int) -> Response | str:
    """The canonical event as stored, beside the raw input (the kept request)."""
    gateway = current_gateway()
    row = event_by_seq(gateway.storage, seq) if seq <= MAX_ROW_ID else None
    if row is None:
        return _not_found("event", seq)
    scrub = Scrubber(gateway.config)
    kept = gateway.storage.get_input(row.input_id) if row.input_id is not None else None
    return render_template("console/event.html", row=row, event_json=scrub.json(row.event),
                           raw=show_input(kept, scrub), person_id=People(gateway.storage).person_of_event(seq))


@blueprint.get("/rejections/<int:rejection_id>")
def rejection(rejection_id: int) -> Response | str:
    """Why an input was refused, what it held, and the request it came in."""
    gateway = current_gateway()
    found = gateway.storage.get_rejection(rejection_id) if rejection_id <= MAX_ROW_ID else None
    if found is None:
        return _not_found("rejection", rejection_id)
    scrub = Scrubber(gateway.config)
    problems = [{"field": scrub.text(str(p.get("field", ""))), "value": scrub.json(p.get("value")),
                 "expectation": scrub.text(str(p.get("expectation", "")))} for p in found["problems"]]
    event_body = found["eventBody"]
    refused = None if event_body is None else show_body(event_body, len(event_body), scrub)
    return render_template("console/rejection.html", rejection=found, problems=problems,
                           reason_text=REASONS.get(found["reason"], found["reason"]), refused=refused,
                           refused_name=(refused_event(event_body) or {}).get("name"),
                           raw=show_input(found["input"], scrub))
