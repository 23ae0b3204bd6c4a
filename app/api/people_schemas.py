"""marshmallow schemas of /v1/people (query parameters and answers) and its entries in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apispec import APISpec
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

MAX_ID = 2**63 - 1


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class PeopleQuery(_Strict):
    """How `GET /v1/people` finds people: by any identifier, or by one of their events."""

    identifier = fields.String(validate=validate.Length(1, 320), metadata={
        "description": "An anonymous id, member id, e-mail or phone number."})
    event = fields.Integer(validate=validate.Range(1, MAX_ID), metadata={
        "description": "A stored event's seq: the person it belongs to."})

    @validates_schema
    def _one_of(self, data: dict[str, Any], **_: Any) -> None:
        if ("identifier" in data) == ("event" in data):
            raise ValidationError("give either identifier or event", "identifier")


class TimelineQuery(_Strict):
    """Paging of `GET /v1/people/{person_id}/timeline`."""

    before = fields.String(validate=validate.Regexp(r"^\S+/\d+$", error="must be the `next` of a previous page"),
                           metadata={"description": "Cursor: the `next` of the previous page."})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500),
                           metadata={"description": "Events per page (a long session goes on on the next page)."})


class JourneyQuery(_Strict):
    """Which chat `GET /v1/people/{person_id}/journey` describes."""

    event = fields.Integer(validate=validate.Range(1, MAX_ID), metadata={
        "description": "The seq of a UserChatOpen event (default: the person's latest chat)."})


class IdentifierSchema(Schema):
    """One identifier of a person."""

    kind = fields.String(required=True, validate=validate.OneOf(["anonymous", "member", "email", "phone"]))
    value = fields.String(required=True)
    firstSeen = fields.String(metadata={"format": "date-time"})
    lastSeen = fields.String(metadata={"format": "date-time"})


class ConflictSchema(Schema):
    """An identifier a trusted input put beside another member id: recorded, not merged."""

    eventSeq = fields.Integer(required=True)
    kind = fields.String(required=True)
    value = fields.String(required=True)
    heldBy = fields.Integer(required=True, metadata={"description": "The person who has the identifier."})
    heldByMember = fields.String(allow_none=True)
    claimedBy = fields.Integer(required=True, metadata={"description": "The person the event claimed it for."})
    claimedByMember = fields.String(allow_none=True)
    occurredAt = fields.String(metadata={"format": "date-time"})


class PersonSchema(Schema):
    """A person: identifiers, traits (the later value wins), first and last seen, counts, conflicts."""

    id = fields.Integer(required=True)
    memberId = fields.String(allow_none=True)
    firstSeen = fields.String(metadata={"format": "date-time"})
    lastSeen = fields.String(metadata={"format": "date-time"})
    identifiers = fields.List(fields.Nested(IdentifierSchema))
    traits = fields.Dict()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    conflicts = fields.List(fields.Nested(ConflictSchema))


class PeoplePageSchema(Schema):
    """People found."""

    items = fields.List(fields.Nested(PersonSchema))


class JourneyPageSchema(Schema):
    """A page the customer saw before the chat."""

    url = fields.String()
    title = fields.String(allow_none=True)
    at = fields.String(metadata={"format": "date-time"})
    secondsOnPage = fields.Float()


class JourneySchema(Schema):
    """The page a chat was opened on and the pages before it in its session."""

    chatSeq = fields.Integer()
    openedAt = fields.String(metadata={"format": "date-time"})
    page = fields.String(allow_none=True)
    pages = fields.List(fields.Nested(JourneyPageSchema))
    sessionId = fields.Integer()
    landingUrl = fields.String(allow_none=True)
    referrer = fields.String(allow_none=True)
    campaign = fields.Dict(allow_none=True)


class TimelineEventSchema(Schema):
    """One event on a timeline."""

    seq = fields.Integer()
    name = fields.String()
    occurredAt = fields.String(metadata={"format": "date-time"})
    url = fields.String(allow_none=True)
    title = fields.String(allow_none=True)


class SessionSchema(Schema):
    """A session: 30 minutes without an event end it (configurable), none lasts over 24 hours."""

    id = fields.Integer()
    startedAt = fields.String(metadata={"format": "date-time"})
    endedAt = fields.String(metadata={"format": "date-time"})
    durationSeconds = fields.Float()
    landingUrl = fields.String(allow_none=True)
    referrer = fields.String(allow_none=True)
    campaign = fields.Dict(allow_none=True)
    device = fields.String(allow_none=True)
    userAgent = fields.String(allow_none=True)
    pageViews = fields.Integer()
    eventCount = fields.Integer()
    events = fields.List(fields.Nested(TimelineEventSchema), metadata={
        "description": "This page's events of the session, in time order (GET /v1/events?id=... has each whole)."})
    partial_ = fields.Boolean(data_key="partial", metadata={
        "description": "The session has more events than this page shows."})
    chats = fields.List(fields.Nested(JourneySchema))


class TimelineSchema(Schema):
    """A page of a person's events grouped by session, newest first, stitched across their anonymous ids."""

    personId = fields.Integer()
    sessions = fields.List(fields.Nested(SessionSchema))
    next = fields.String(allow_none=True)


class ErasedSchema(Schema):
    """What a data-subject erasure removed."""

    personId = fields.Integer()
    identifiers = fields.List(fields.Nested(IdentifierSchema))
    removed = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Rows removed: events, outbox, rejections, inputs, sessions."})


def add_people_paths(spec: APISpec, problems: Callable[..., dict[str, Any]]) -> None:
    """The /v1/people operations (admin token)."""
    for name in ("Person", "PeoplePage", "Journey", "Timeline", "Erased"):  # nested ones first
        spec.components.schema(name, schema=globals()[f"{name}Schema"])
    admin: list[dict[str, list[str]]] = [{"adminToken": []}]
    person_id = {"in": "path", "name": "person_id", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}

    def answer(schema: str, description: str) -> dict[str, Any]:
        return {"description": description,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}

    spec.path(path="/v1/people", operations={"get": {
        "summary": "Find people by any identifier, or the person of an event (admin)", "operationId": "findPeople",
        "security": admin, "parameters": [{"in": "query", "schema": PeopleQuery}],
        "responses": {"200": answer("PeoplePage", "The people found (none: an empty list)."),
                      **problems(400, 401, 429, 503)},
    }})
    spec.path(path="/v1/people/{person_id}", operations={
        "get": {"summary": "A person's profile (admin)", "operationId": "getPerson", "security": admin,
                "parameters": [person_id],
                "responses": {"200": answer("Person", "The person."), **problems(401, 404, 429, 503)}},
        "delete": {"summary": "Erase a person: their events, deliveries and kept raw inputs (admin)",
                   "operationId": "erasePerson", "security": admin, "parameters": [person_id],
                   "description": "A data-subject erasure request. Other people's events stay.",
                   "responses": {"200": answer("Erased", "What was removed."), **problems(401, 404, 429, 503)}},
    })
    spec.path(path="/v1/people/{person_id}/timeline", operations={"get": {
        "summary": "A person's sessions and events, newest session first (admin)", "operationId": "getTimeline",
        "security": admin, "parameters": [person_id, {"in": "query", "schema": TimelineQuery}],
        "responses": {"200": answer("Timeline", "A page of sessions."), **problems(400, 401, 404, 429, 503)},
    }})
    spec.path(path="/v1/people/{person_id}/journey", operations={"get": {
        "summary": "The pages before a chat: where it was opened, the session's pages, landing and campaign (admin)",
        "operationId": "getJourney", "security": admin, "parameters": [person_id, {"in": "query",
                                                                                    "schema": JourneyQuery}],
        "responses": {"200": answer("Journey", "The journey."), **problems(400, 401, 404, 429, 503)},
    }})
