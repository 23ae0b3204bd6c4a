"""One event beside the request it came from; one rejection with its reason as field / value / expectation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request

from app.console.guard import viewer_allowed, viewer_source
from app.console.present import Scrubber, refused_event, show_body, show_input
from app.console.queries import event_by_seq
from app.console.summary import summarize
from app.gateway import current_gateway
from app.problems import how_to_fix, rejection_title
from app.projections.people.queries import People

blueprint = Blueprint("details", __name__)
MAX_ROW_ID = 2**63 - 1  # SQL's BIGINT: a larger number names no row (and would overflow the driver)


def _not_found(what: str, number: int) -> Response:
    page = render_template("console/message.html", title=f"No {what} {number}",
                           detail=f"There is no {what} with the number {number}. Go back to the live events.")
    return Response(page, status=404)


def _visible(source_id: str | None) -> bool:
    """Whether this session may see a row of that source: the admin all, a viewer link its own source's."""
    own = viewer_source()
    return own is None or source_id == own


@blueprint.get("/events/<int:seq>")
@viewer_allowed
def event(seq: int) -> Response | str:
    """The canonical event as stored, beside the raw input (the kept request)."""
    gateway = current_gateway()
    row = event_by_seq(gateway.storage, seq) if seq <= MAX_ROW_ID else None
    if row is None or not _visible(row.source_id):  # another source's row is as if it did not exist
        return _not_found("event", seq)
    scrub = Scrubber(gateway.secrets())
    kept = gateway.storage.get_input(row.input_id) if row.input_id is not None else None
    summary = summarize(row.event)
    facts = [(label, scrub.text(text)) for label, text in summary.facts]
    return render_template("console/event.html", row=row, event_json=scrub.json(row.event),
                           raw=show_input(kept, scrub), summary=summary, facts=facts,
                           person_id=People(gateway.storage).person_of_event(seq))


@blueprint.get("/rejections/<int:rejection_id>")
@viewer_allowed
def rejection(rejection_id: int) -> Response | str:
    """Why an input was refused, how to fix it, what it held, and the request it came in."""
    found = find_rejection(rejection_id)
    if found is None or not _visible(found["sourceId"]):
        return _not_found("rejection", rejection_id)
    return render_rejection(found, ReplayNotice.from_args(request.args))


def find_rejection(rejection_id: int) -> dict[str, Any] | None:
    """The kept rejection with that number, or None."""
    return current_gateway().storage.get_rejection(rejection_id) if rejection_id <= MAX_ROW_ID else None


@dataclass(frozen=True)
class ReplayNotice:
    """How a replay just went, as the page reports it: accepted, or refused again as another rejection."""

    accepted: bool = False
    refused_again: int | None = None
    error: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> ReplayNotice | None:
        """The notice the replay's redirect asked for (numbers only: nobody can put words on the page by link)."""
        outcome = args.get("replayed")
        again = args.get("again", "")
        if outcome == "accepted":
            return cls(accepted=True)
        if outcome == "refused":
            return cls(refused_again=int(again) if again.isdigit() and int(again) <= MAX_ROW_ID else None)
        return None


def render_rejection(found: dict[str, Any], notice: ReplayNotice | None = None, status: int = 200) -> Response:
    """The rejection page, with the outcome of a replay when one was just tried."""
    gateway = current_gateway()
    scrub = Scrubber(gateway.secrets())
    problems = [{"field": scrub.text(str(p.get("field", ""))), "value": scrub.json(p.get("value")),
                 "expectation": scrub.text(str(p.get("expectation", "")))} for p in found["problems"]]
    event_body = found["eventBody"]
    refused = None if event_body is None else show_body(event_body, len(event_body), scrub)
    page = render_template("console/rejection.html", rejection=found, problems=problems,
                           reason_text=rejection_title(found["reason"]), how_to_fix=how_to_fix(found["reason"]),
                           refused=refused, refused_name=(refused_event(event_body) or {}).get("name"),
                           raw=show_input(found["input"], scrub), notice=notice,
                           can_replay=viewer_source() is None,
                           replay_sources=sorted(gateway.sources.all()) if found["sourceId"] is None else [])
    return Response(page, status=status)
