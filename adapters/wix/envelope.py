"""The Wix webhook envelope: JWT claims → `data` (a JSON string) → `{eventType, instanceId, data, identity}`.

`data` inside the envelope is itself a JSON string holding the event (for domain events:
`{id, entityFqdn, slug, entityId, eventTime, createdEvent | updatedEvent | actionEvent, ...}`), and
`identity`, when present, is a JSON string saying who acted. Both are decoded only for the event
types the adapter maps, so that an unmapped event is acknowledged without reading its payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from adapters.base import PayloadInvalid
from adapters.fields import obj, required_text, text
from adapters.jsonbody import parse_json
from adapters.wix.payload import embedded
from adapters.wix.signature import compact_token

ENVELOPE = "data"
EVENT = "data.data"


@dataclass(frozen=True)
class Envelope:
    """One Wix webhook, decoded as far as its event type."""

    event_type: str
    instance_id: str | None
    fields: dict[str, Any]

    def event(self) -> dict[str, Any]:
        """The event itself (the envelope's `data`)."""
        event = embedded(self.fields.get("data"), EVENT)
        if event is None:
            raise PayloadInvalid(EVENT, None, "the event as a JSON string")
        return event

    def identity(self) -> dict[str, Any]:
        """Who acted (`identityType` and its id), empty when Wix did not say."""
        return embedded(self.fields.get("identity"), f"{ENVELOPE}.identity") or {}


def read_envelope(body: bytes, max_depth: int = 32) -> Envelope:
    """The envelope of a webhook body (its signature is `verify`'s business, checked before this)."""
    token = compact_token(body)
    if token is None:
        raise PayloadInvalid("body", body[:200], "a JWT (header.payload.signature), the whole body as Wix sends it")
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise PayloadInvalid("body", token[:200], f"a JWT whose payload is a JSON object ({error})") from None
    data = claims.get("data")
    if not isinstance(data, str):
        raise PayloadInvalid(ENVELOPE, data, "the JWT claim `data`: a JSON string holding the envelope")
    fields = obj(parse_json(data.encode("utf-8"), max_depth=max_depth, field=ENVELOPE), ENVELOPE)
    event_type = required_text(fields.get("eventType"), f"{ENVELOPE}.eventType")
    return Envelope(event_type=event_type, instance_id=text(fields.get("instanceId"), f"{ENVELOPE}.instanceId"),
                    fields=fields)
