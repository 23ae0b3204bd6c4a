"""Webflow's request signature: hex HMAC-SHA256 of `<x-webflow-timestamp>:<raw body>`.

As the official SDK computes it (webflow/js-webflow-api, src/wrapper/WebhooksClient.ts): the key
is the secret's UTF-8 bytes, the digest is lower-case hex. Webflow's docs ask to refuse a
timestamp older than 5 minutes; it is checked here against the request's arrival time.
"""

from __future__ import annotations

from datetime import timedelta

from adapters.base import InboundRequest, SignatureInvalid, hmac_sha256, same_secret
from adapters.times import from_epoch_millis

TIMESTAMP_HEADER = "x-webflow-timestamp"
SIGNATURE_HEADER = "x-webflow-signature"
TOLERANCE = timedelta(minutes=5)


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Webflow sends for `body` sent at `timestamp` (milliseconds, as in the header)."""
    return hmac_sha256(secret.encode("utf-8"), timestamp.encode("ascii") + b":" + body).hex()


def verify_webflow(request: InboundRequest, secret: str) -> None:
    """Check both headers, the 5-minute window and the signature; raise SignatureInvalid otherwise."""
    timestamp = request.header(TIMESTAMP_HEADER)
    signature = request.header(SIGNATURE_HEADER)
    if not timestamp:
        raise SignatureInvalid(f"the {TIMESTAMP_HEADER} header is missing (webhooks created in the Webflow "
                               "dashboard are not signed: create them through the API)", header=TIMESTAMP_HEADER)
    if not signature:
        raise SignatureInvalid(f"the {SIGNATURE_HEADER} header is missing (webhooks created in the Webflow "
                               "dashboard are not signed: create them through the API)", header=SIGNATURE_HEADER)
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 13:
        raise SignatureInvalid(f"{TIMESTAMP_HEADER} must be milliseconds since the Unix epoch",
                               header=TIMESTAMP_HEADER)
    if abs(request.received_at - from_epoch_millis(int(timestamp))) > TOLERANCE:
        raise SignatureInvalid(f"{TIMESTAMP_HEADER} is more than 5 minutes away from the time of arrival "
                               "(replayed or clock skewed)", header=TIMESTAMP_HEADER)
    if not same_secret(signature.strip().lower(), expected_signature(secret, timestamp, request.body)):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match the body signed with this source's secret",
                               header=SIGNATURE_HEADER)
