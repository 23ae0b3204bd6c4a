"""`webhook`: a JSON POST per event (or per batch), signed per Standard Webhooks."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import requests
from marshmallow import Schema, ValidationError, fields, validates
from standardwebhooks.webhooks import Webhook

from adapters.base import Event
from adapters.standard_webhooks import valid_secret
from app.delivery.destinations.base import Attempt, Destination


class WebhookSettings(Schema):
    """Settings of a webhook destination."""

    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"},
                     metadata={"description": "where to POST", "example": "https://crm.example.com/hooks/tagway"})
    secret = fields.String(load_default=None, metadata={
        "description": "Standard Webhooks signing secret (whsec_...); the receiver verifies webhook-signature"})

    @validates("secret")
    def _valid(self, value: str | None, **_: Any) -> None:
        if value is not None and not valid_secret(value):
            raise ValidationError("must be a Standard Webhooks secret: whsec_ followed by base64")


def message_id(events: Sequence[Event]) -> str:
    """The webhook-id: the event's own id for one event, a digest of the ids for a batch.

    A receiver drops a webhook-id it has seen; within a batch it drops events by (source.id, id).
    """
    if len(events) == 1:
        return f"{events[0]['source']['id']}/{events[0]['id']}"
    digest = hashlib.sha256("\n".join(f"{e['source']['id']}/{e['id']}" for e in events).encode()).hexdigest()
    return f"batch_{digest[:32]}"


class WebhookDestination(Destination):
    """POST `{"type", "timestamp", "data"}` JSON; one event as `data`, a batch as `data.events`."""

    kind = "webhook"
    settings_schema = WebhookSettings
    secret_settings = ("secret",)
    max_batch_size = 1000

    def deliver(self, events: Sequence[Event]) -> list[Attempt]:
        """One request for the whole batch; its answer is every event's."""
        now = datetime.now(UTC)
        body = orjson.dumps({"type": "tagway.event" if len(events) == 1 else "tagway.events",
                             "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                             "data": events[0] if len(events) == 1 else {"events": list(events)}})
        identifier = message_id(events)
        headers = {"Content-Type": "application/json", "webhook-id": identifier, "Idempotency-Key": identifier,
                   "webhook-timestamp": str(int(now.timestamp()))}
        secret = self.setting("secret")
        if secret:
            headers["webhook-signature"] = Webhook(secret).sign(identifier, now, body.decode())
        try:
            response = self.session.post(self.setting("url"), data=body, headers=headers,
                                         timeout=self.config.timeout_seconds)
        except requests.RequestException as error:
            return [Attempt.from_exception(error, "webhook")] * len(events)
        return [Attempt.from_response(response, "webhook")] * len(events)
