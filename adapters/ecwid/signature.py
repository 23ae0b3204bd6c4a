"""Ecwid's webhook signature: base64 HMAC-SHA256 of `"{eventCreated}.{eventId}"` with the app's client_secret.

Only those two body fields are signed, not the body (docs: "Webhooks security", PHP example
`base64_encode(hash_hmac("sha256", "$eventCreated.$eventId", $client_secret, true))`). The signed
`eventCreated` bounds how long a captured signature stays usable; see MAX_AGE.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.base import InboundRequest, PayloadInvalid, SignatureInvalid, hmac_sha256, same_secret

SIGNATURE_HEADER = "X-Ecwid-Webhook-Signature"
# Ecwid retries a webhook it could not deliver for 24 hours (15 min, 30 min, 45 min, 1 h, then hourly)
# with the same eventId and eventCreated: a shorter window would refuse every retry. A replay within
# the window is harmless, since events are deduplicated on the signed eventId.
MAX_AGE = timedelta(hours=25)
MAX_AHEAD = timedelta(minutes=5)


def expected_signature(client_secret: str, event_created: int, event_id: str) -> str:
    """The X-Ecwid-Webhook-Signature Ecwid sends for one event."""
    message = f"{event_created}.{event_id}".encode()
    return base64.b64encode(hmac_sha256(client_secret.encode("utf-8"), message)).decode("ascii")


def verify_ecwid(request: InboundRequest, client_secret: str) -> None:
    """Check the signature of the body's eventCreated and eventId, and eventCreated's age."""
    signature = request.header(SIGNATURE_HEADER)
    if not signature:
        raise SignatureInvalid(f"the {SIGNATURE_HEADER} header is missing", header=SIGNATURE_HEADER)
    event_created, event_id = _signed_fields(request)
    try:
        created = datetime.fromtimestamp(event_created, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise SignatureInvalid("eventCreated is not a time in seconds since the Unix epoch",
                               header=SIGNATURE_HEADER) from None
    if request.received_at - created > MAX_AGE or created - request.received_at > MAX_AHEAD:
        raise SignatureInvalid(f"eventCreated is more than {MAX_AGE.total_seconds() // 3600:.0f} hours before or "
                               f"{MAX_AHEAD.total_seconds() // 60:.0f} minutes after the time of arrival "
                               "(replayed or clock skewed)", header=SIGNATURE_HEADER)
    if not same_secret(signature.strip(), expected_signature(client_secret, event_created, event_id)):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match eventCreated.eventId signed with this "
                               "source's client_secret", header=SIGNATURE_HEADER)


def _signed_fields(request: InboundRequest) -> tuple[int, str]:
    """The signed fields eventCreated and eventId; without them the request cannot be authenticated."""
    try:
        body: Any = request.json()
    except PayloadInvalid:
        raise SignatureInvalid("the body is not JSON, so its signed fields eventCreated and eventId cannot be read",
                               header=SIGNATURE_HEADER) from None
    fields = body if isinstance(body, dict) else {}
    event_created, event_id = fields.get("eventCreated"), fields.get("eventId")
    if isinstance(event_created, bool) or not isinstance(event_created, int):
        raise SignatureInvalid("the body has no eventCreated (whole seconds since the Unix epoch) to check the "
                               "signature with", header=SIGNATURE_HEADER)
    if isinstance(event_id, bool) or not isinstance(event_id, str | int) or event_id == "":
        raise SignatureInvalid("the body has no eventId to check the signature with", header=SIGNATURE_HEADER)
    return event_created, str(event_id)
