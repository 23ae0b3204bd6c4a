"""Verification of Standard Webhooks signatures (https://www.standardwebhooks.com/).

The signature scheme is the `standardwebhooks` library's own; the timestamp window is checked
here against the request's arrival time, so that a fixture with a frozen clock verifies the same
way every day.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from standardwebhooks.webhooks import Webhook

from adapters.base import InboundRequest, SignatureInvalid, same_secret

TOLERANCE = timedelta(minutes=5)
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def valid_secret(secret: str) -> bool:
    """Whether `secret` is a usable Standard Webhooks secret (`whsec_` + base64)."""
    try:
        Webhook(secret)
    except (binascii.Error, ValueError, RuntimeError, Exception):  # the library raises several kinds
        return False
    return True


def verify_standard_webhook(request: InboundRequest, secret: str, tolerance: timedelta = TOLERANCE) -> str:
    """Check `webhook-signature` over `id.timestamp.body`; return the webhook id (the delivery id)."""
    values = {name: request.header(name) for name in HEADERS}
    for name, value in values.items():
        if not value:
            raise SignatureInvalid(f"the {name} header is missing", header=name)
    message_id, timestamp_text, signatures = (str(values[name]) for name in HEADERS)
    try:
        sent = datetime.fromtimestamp(int(timestamp_text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise SignatureInvalid("webhook-timestamp must be whole seconds since the Unix epoch",
                               header="webhook-timestamp") from None
    if abs(request.received_at - sent) > tolerance:
        raise SignatureInvalid(f"webhook-timestamp is more than {int(tolerance.total_seconds() // 60)} minutes "
                               "away from the time of arrival (replayed or clock skewed)", header="webhook-timestamp")
    try:
        data = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureInvalid("the signed body must be UTF-8 text", header="webhook-signature") from None
    expected = Webhook(secret).sign(msg_id=message_id, timestamp=sent, data=data).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and same_secret(_normalized_base64(value), expected):
            return message_id
    raise SignatureInvalid("no v1 signature in webhook-signature matches the body", header="webhook-signature")


def _normalized_base64(value: str) -> str:
    """Re-encode a base64 signature so that padding or alphabet variants compare equal."""
    try:
        return base64.b64encode(base64.b64decode(value + "==", validate=False)).decode()
    except (binascii.Error, ValueError):
        return value
