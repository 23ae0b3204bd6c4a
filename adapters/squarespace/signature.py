"""Squarespace's signature: hex HMAC-SHA256 of the raw body, keyed with the hex-decoded secret."""

from __future__ import annotations

from adapters.base import InboundRequest, SignatureInvalid, hmac_sha256, same_secret

HEADER = "Squarespace-Signature"


def key_of(secret: str) -> bytes:
    """The HMAC key: the subscription secret is hexadecimal and must be decoded to its bytes first."""
    return bytes.fromhex(secret)


def expected_signature(secret: str, body: bytes) -> str:
    """The signature Squarespace sends for `body`, in lower-case hex."""
    return hmac_sha256(key_of(secret), body).hex()


def verify(request: InboundRequest, secret: str | None) -> None:
    """Compare the Squarespace-Signature header with the body's HMAC in constant time."""
    if not secret:
        raise SignatureInvalid("this source has no `secret`: put the secret returned when the webhook "
                               "subscription was created (or rotated) in its [[sources]] entry")
    given = request.header(HEADER)
    if not given:
        raise SignatureInvalid(f"the {HEADER} header is missing", header=HEADER)
    # Hex digits compare case-insensitively; the docs' Node example produces lower case.
    if not same_secret(given.strip().lower(), expected_signature(secret, request.body)):
        raise SignatureInvalid(f"{HEADER} is not the HMAC-SHA256 of the body with this source's secret",
                               header=HEADER)
