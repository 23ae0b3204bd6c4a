"""Canonical JSON: events already in tagway's canonical shape.

The same format as `POST /v1/events` (one event, or `{"batch": [...]}`), sent to a webhook URL
and signed per Standard Webhooks with the source's `secret`. Any system that can sign a POST can
feed tagway this way.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from adapters.base import Adapter, Batch, Event, InboundRequest, PayloadInvalid, SignatureInvalid, Source
from adapters.fields import MAX_SOURCE_TEXT
from adapters.standard_webhooks import valid_secret, verify_standard_webhook
from adapters.times import parse_time

BATCH_KEYS = frozenset({"batch", "sentAt"})


def parse_canonical(payload: Any) -> list[Any]:
    """The events of a canonical body: one, or a `Batch` whose `sentAt` goes to each event."""
    if not isinstance(payload, dict):
        raise PayloadInvalid("body", payload, 'a JSON object: one event, or {"batch": [event, ...]}')
    if "batch" not in payload:
        return [payload]
    extra = sorted(set(payload) - BATCH_KEYS)
    if extra:
        raise PayloadInvalid(extra[0], payload[extra[0]], "no such field in a batch; allowed: batch, sentAt")
    batch = payload["batch"]
    if not isinstance(batch, list) or not batch:
        raise PayloadInvalid("batch", batch, "a list of 1 or more events")
    sent_at = payload.get("sentAt")
    if sent_at is None:
        return Batch(batch)
    try:
        parse_time(sent_at)
    except (ValueError, TypeError):
        raise PayloadInvalid("sentAt", sent_at,
                             "an RFC 3339 time with an offset, e.g. 2026-11-24T09:30:00.000Z") from None
    return Batch({"sentAt": sent_at, **event} if isinstance(event, dict) else event for event in batch)


class CanonicalSettings(Schema):
    """Settings of a canonical source."""

    secret = fields.String(load_default=None, metadata={
        "description": "Standard Webhooks signing secret (whsec_...) for POSTs to the webhook URL."})

    @validates("secret")
    def _valid(self, value: str | None, **_: Any) -> None:
        if value is not None and not valid_secret(value):
            raise ValidationError("must be a Standard Webhooks secret: whsec_ followed by base64")


class CanonicalAdapter(Adapter):
    """Canonical events, signed per Standard Webhooks."""

    name = "canonical"
    title = "Canonical JSON (tagway's own event format)"
    settings_schema = CanonicalSettings
    secret_settings = ("secret",)
    signature_headers = ("webhook-id", "webhook-timestamp", "webhook-signature")
    accepts_write_key = True
    serves_events_api = True

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Standard Webhooks signature with the source's secret."""
        secret = source.settings.get("secret")
        if not secret:
            raise SignatureInvalid("this source has no signing secret: set `secret` (whsec_...) in its "
                                   "[[sources]] entry, or send to POST /v1/events with its write key")
        verify_standard_webhook(request, secret)

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The body's events as they are (a webhook's with its delivery id); the gateway normalizes and validates."""
        events = parse_canonical(request.json())
        delivery = request.header("webhook-id")
        if not delivery:
            return events
        with_delivery = [_with_delivery(event, delivery) for event in events]
        return Batch(with_delivery, events.field) if isinstance(events, Batch) else with_delivery

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """How a sending system is pointed at the gateway."""
        return [
            f"POST canonical events (one, or {{\"batch\": [...]}}) as JSON to {webhook_url}.",
            "Sign each request per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature "
            "headers) with this source's secret; any Standard Webhooks library does it.",
            "Or, without signing: POST to /v1/events with `Authorization: Bearer <write key>`.",
        ]


def _with_delivery(event: Any, delivery: str | None) -> Any:
    """Record the webhook id as the delivery id of each event."""
    if not isinstance(event, dict) or not delivery:
        return event
    given = event.get("source")
    source = given if isinstance(given, dict) else {}
    return {**event, "source": {**source, "deliveryId": delivery[:MAX_SOURCE_TEXT]}}


adapter = CanonicalAdapter()
