"""Admin routes of people: find, profile, timeline by session, the journey before a chat, erasure."""

from __future__ import annotations

from flask import Blueprint, Response

from adapters.base import Problem
from app.api.admin import json_response, load_args, require_admin
from app.api.people_schemas import MAX_ID, JourneyQuery, PeopleQuery, TimelineQuery
from app.gateway import current_gateway
from app.problems import ProblemError
from app.projections.people.erasure import erase_person
from app.projections.people.queries import People

blueprint = Blueprint("people", __name__)
blueprint.before_request(require_admin)


def _people() -> People:
    return People(current_gateway().storage)


def _not_found(person_id: int) -> ProblemError:
    return ProblemError("not-found", [Problem("person_id", person_id, "the id of a person (GET /v1/people finds "
                                                                      "one by any identifier)")])


def _known(person_id: int) -> int:
    if person_id > MAX_ID or _people().profile(person_id) is None:
        raise _not_found(person_id)
    return person_id


@blueprint.get("/v1/people")
def find() -> Response:
    """People by any identifier (anonymous id, member id, e-mail, phone), or the person of a stored event."""
    args = load_args(PeopleQuery)
    people = _people()
    if "event" in args:
        person = people.person_of_event(args["event"])
        ids = [] if person is None else [person]
    else:
        ids = people.find(args["identifier"])
    return json_response({"items": [p for p in map(people.profile, ids) if p is not None]})


@blueprint.get("/v1/people/<int:person_id>")
def profile(person_id: int) -> Response:
    """One person's identifiers, traits, first and last seen, counts and recorded conflicts."""
    found = _people().profile(person_id) if person_id <= MAX_ID else None
    if found is None:
        raise _not_found(person_id)
    return json_response(found)


@blueprint.get("/v1/people/<int:person_id>/timeline")
def timeline(person_id: int) -> Response:
    """The person's events by session, newest first (across every anonymous id of theirs), paged."""
    args = load_args(TimelineQuery)
    return json_response(_people().timeline(_known(person_id), args.get("before"), args["limit"]))


@blueprint.get("/v1/people/<int:person_id>/journey")
def journey(person_id: int) -> Response:
    """The pages before a chat: the latest UserChatOpen of the person's, or the one named by `event`."""
    args = load_args(JourneyQuery)
    found = _people().journey(_known(person_id), args.get("event"))
    if found is None:
        raise ProblemError("not-found", [Problem("event", args.get("event"), "a UserChatOpen event of this person")])
    return json_response(found)


@blueprint.delete("/v1/people/<int:person_id>")
def erase(person_id: int) -> Response:
    """A data-subject erasure: the person, their events, deliveries and raw inputs; what was removed."""
    erased = erase_person(current_gateway().storage, person_id) if person_id <= MAX_ID else None
    if erased is None:
        raise _not_found(person_id)
    return json_response(erased.as_dict())
