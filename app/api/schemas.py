"""marshmallow schemas of the API's query parameters and bodies; the OpenAPI document is built from them."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from adapters.times import format_time, parse_time


class Timestamp(fields.String):
    """An RFC 3339 time, given back in the canonical UTC-with-milliseconds form."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return format_time(parse_time(text))
        except ValueError as error:
            raise ValidationError("must be an RFC 3339 time with an offset, e.g. 2026-11-24T00:00:00Z") from error


class _Query(Schema):
    class Meta:
        unknown = RAISE

    since = Timestamp(metadata={"description": "Received at or after this time (RFC 3339).", "format": "date-time"})
    until = Timestamp(metadata={"description": "Received before this time (RFC 3339).", "format": "date-time"})
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1),
                            metadata={"description": "Cursor: only rows older than this one (the `next` of a page)."})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class EventListQuery(_Query):
    """Filters of `GET /v1/events`."""

    source = fields.String(metadata={"description": "Source id."})
    name = fields.String(metadata={"description": "Event name, e.g. Purchase."})
    user = fields.String(metadata={"description": "anonymousId, memberId or email."})
    id = fields.String(metadata={"description": "Event id."})


class RejectionListQuery(_Query):
    """Filters of `GET /v1/rejections`."""

    source = fields.String(metadata={"description": "Source id."})
    reason = fields.String(validate=validate.OneOf(
        ["auth", "signature", "payload", "schema", "too_large", "content_type", "not_found", "adapter_error"]))


class ReplayQuery(Schema):
    """Options of a replay."""

    class Meta:
        unknown = RAISE

    source = fields.String(metadata={"description": "Replay as this source (for inputs refused before a source "
                                                    "was known, such as an unknown write key)."})

    @validates("source")
    def _not_empty(self, value: str, **_: Any) -> None:
        if not value:
            raise ValidationError("must be a source id")


class ProblemItemSchema(Schema):
    """One thing wrong with an input."""

    field = fields.String(required=True, metadata={"description": "Path of the field, e.g. batch[2].commerce.value"})
    value = fields.Raw(required=True, allow_none=True, metadata={"description": "The value received (shortened)."})
    expectation = fields.String(required=True, metadata={"description": "What was expected instead."})


class ResultItemSchema(Schema):
    """What became of one event of a request."""

    index = fields.Integer(required=True)
    id = fields.String()
    status = fields.String(required=True, validate=validate.OneOf(["stored", "duplicate", "rejected"]))
    rejectionId = fields.Integer()
    errors = fields.List(fields.Nested(ProblemItemSchema))
    dropped = fields.List(fields.Nested(ProblemItemSchema), metadata={
        "description": "Stored without what these name (a member id without a valid member hash); "
                       "`rejectionId` is the kept rejection of reason `dropped` that says so."})


class ProblemSchema(Schema):
    """RFC 9457 problem details with tagway's field / value / expectation items."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemItemSchema), required=True)
    rejectionId = fields.Integer(metadata={"description": "Where the refused input is kept (GET /v1/rejections/{id})."})
    # When every event of an ingest request was refused, the per-event results come along.
    accepted = fields.Integer()
    stored = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(ResultItemSchema))
    # Segment's libraries read these two from an error of the tracking API (/v1/track, /v1/batch, ...).
    code = fields.String(metadata={"description": "The problem's slug (tracking API answers, as Segment's)."})
    message = fields.String(metadata={"description": "The title and first error in one line (tracking API answers)."})


class IngestResultSchema(Schema):
    """The answer to an ingest: counts and one result per event."""

    accepted = fields.Integer(required=True, metadata={"description": "stored + duplicates: all acknowledged."})
    stored = fields.Integer(required=True)
    duplicates = fields.Integer(required=True, metadata={"description": "Already stored (same source and id)."})
    rejected = fields.Integer(required=True)
    results = fields.List(fields.Nested(ResultItemSchema), required=True)
    note = fields.String()


class WitnessSchema(Schema):
    """One source's account of an order event of a site."""

    sourceId = fields.String(required=True)
    kind = fields.String(required=True, metadata={
        "description": "How it arrived: webhook (signed by the platform), server (the events API), browser (collect)."})
    receivedAt = fields.String(required=True)


class StoredEventSchema(Schema):
    """A stored event with its row number and the id of its raw input."""

    seq = fields.Integer(required=True)
    inputId = fields.Integer(allow_none=True, metadata={
        "description": "The kept raw request; null when it was not kept (an input accepted whole, unless "
                       "[storage] keep_accepted_inputs is true)."})
    event = fields.Dict(required=True, metadata={"description": "The canonical event (see /v1/schema/event)."})
    witnesses = fields.List(fields.Nested(WitnessSchema), metadata={
        "description": "For an order event of a site: every source that saw it, first received first. The event "
                       "is their merge (docs/witnesses.md); absent for other events."})


class EventPageSchema(Schema):
    """A page of stored events, newest first."""

    items = fields.List(fields.Nested(StoredEventSchema), required=True)
    next = fields.Integer(allow_none=True, required=True,
                          metadata={"description": "Pass as `before` for the next page."})


class RejectionSchema(Schema):
    """A refused input or event, kept with its reason."""

    id = fields.Integer(required=True)
    receivedAt = fields.String(required=True)
    inputId = fields.Integer(allow_none=True)
    sourceId = fields.String(allow_none=True)
    adapter = fields.String(allow_none=True)
    endpoint = fields.String(required=True)
    status = fields.Integer(required=True)
    reason = fields.String(required=True)
    problems = fields.List(fields.Nested(ProblemItemSchema), required=True)
    eventIndex = fields.Integer(allow_none=True)
    replayedAt = fields.String(allow_none=True)
    replayResult = fields.String(allow_none=True)
    body = fields.String(allow_none=True, metadata={"description": "The refused body (or event) as text, capped."})
    bodyEncoding = fields.String(validate=validate.OneOf(["utf-8", "base64"]))
    bodySize = fields.Integer(allow_none=True)


class RejectionPageSchema(Schema):
    """A page of rejections, newest first."""

    items = fields.List(fields.Nested(RejectionSchema), required=True)
    next = fields.Integer(allow_none=True, required=True)


class RawInputSchema(Schema):
    """A kept request, credentials removed."""

    method = fields.String(required=True)
    path = fields.String(required=True)
    query = fields.String(required=True)
    headers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class RejectionDetailSchema(RejectionSchema):
    """A rejection with the request it came from."""

    input = fields.Nested(RawInputSchema, allow_none=True)


class ReplayResultSchema(Schema):
    """What a replay did: the status and body the input would now be answered with."""

    rejectionId = fields.Integer(required=True)
    status = fields.Integer(required=True)
    result = fields.Dict(required=True)


class HealthSchema(Schema):
    """Liveness or readiness."""

    status = fields.String(required=True, validate=validate.OneOf(["ok", "unavailable"]))
    detail = fields.String()


class DeliveryItemsQuery(Schema):
    """Filters of `GET /v1/deliveries/items`."""

    class Meta:
        unknown = RAISE

    destination = fields.String(metadata={"description": "Destination id (`@enrich` for enrichment)."})
    status = fields.String(validate=validate.OneOf(["pending", "inflight", "delivered", "dead"]))
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class DeliveryReplaySchema(Schema):
    """What to queue again."""

    class Meta:
        unknown = RAISE

    destination = fields.String(metadata={"description": "Only this destination."})
    deadOnly = fields.Boolean(load_default=True, metadata={
        "description": "Only dead letters (true), or also delivered rows, to send them again (false)."})
    since = Timestamp(metadata={"description": "Queued at or after (RFC 3339).", "format": "date-time"})
    until = Timestamp(metadata={"description": "Queued before (RFC 3339).", "format": "date-time"})
    eventIds = fields.List(fields.String(), load_default=list, metadata={"description": "Only these event ids."})
    ids = fields.List(fields.Integer(validate=validate.Range(1, 2**63 - 1)), load_default=list,
                      metadata={"description": "Only these deliveries (outbox row ids)."})


class DeliveryCountsSchema(Schema):
    """Deliveries of one destination by status."""

    pending = fields.Integer(required=True)
    inflight = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    dead = fields.Integer(required=True)


class DestinationStateSchema(Schema):
    """A configured destination and its deliveries."""

    id = fields.String(required=True)
    type = fields.String(required=True)
    title = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    counts = fields.Nested(DeliveryCountsSchema, required=True)


class DeliveryOverviewSchema(Schema):
    """Every destination's deliveries, and the enrichment queue."""

    destinations = fields.List(fields.Nested(DestinationStateSchema), required=True)
    enrichment = fields.Nested(DeliveryCountsSchema, required=True)


class DeliveryItemSchema(Schema):
    """One delivery (an outbox row) with its event's id and name."""

    id = fields.Integer(required=True)
    destination = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    nextAttemptAt = fields.String(allow_none=True)
    lastError = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    createdAt = fields.String(required=True)
    updatedAt = fields.String(required=True)
    deliveredAt = fields.String(allow_none=True)
    sourceId = fields.String(required=True)
    eventId = fields.String(required=True)
    eventName = fields.String(required=True)
    eventSeq = fields.Integer(required=True)


class DeliveryPageSchema(Schema):
    """A page of deliveries, newest first."""

    items = fields.List(fields.Nested(DeliveryItemSchema), required=True)
    next = fields.Integer(allow_none=True, required=True)


class RequeuedSchema(Schema):
    """How many deliveries were queued again."""

    requeued = fields.Integer(required=True)
