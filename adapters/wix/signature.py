"""Verification of Wix webhooks: the whole body is a JWT signed RS256 with Wix's key for the app.

PyJWT checks the signature against the app's public key, with RS256 as the only algorithm accepted
(never the one the token names). Its own time checks read the wall clock, so they are switched off
and `exp` / `nbf` / `iat` are checked here against the request's arrival time instead: a fixture
verifies the same way on any day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.types import Options

from adapters.base import SignatureInvalid

ALGORITHMS = ["RS256"]
# Clock difference allowed between Wix and the gateway when comparing the token's times.
LEEWAY = timedelta(seconds=60)
# header.payload.signature in base64url, nothing else: Wix sends the token as the whole body.
COMPACT_JWS = re.compile(rb"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_PEM_HEADER = "-----BEGIN PUBLIC KEY-----"
_PEM_FOOTER = "-----END PUBLIC KEY-----"
_TIME_CHECKS_ON_THE_WALL_CLOCK: Options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}


def public_key(text: str) -> RSAPublicKey:
    """The RSA key of a PEM public key, or of its bare base64 body as copied from the Wix Dev Center."""
    pem = text.strip()
    if not pem.startswith("-----BEGIN"):
        pem = f"{_PEM_HEADER}\n{''.join(pem.split())}\n{_PEM_FOOTER}"
    try:
        key = load_pem_public_key(pem.encode("ascii", "replace"))
    except UnsupportedAlgorithm:
        raise ValueError("the key's algorithm is not supported") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("the key is not an RSA public key")
    return key


def compact_token(body: bytes) -> str | None:
    """The body as a compact JWT, or None when it is not one."""
    return body.decode("ascii") if COMPACT_JWS.match(body) else None


def verify_jwt(body: bytes, key_text: str, received_at: datetime) -> dict[str, Any]:
    """The token's claims once its RS256 signature and its times hold; raise SignatureInvalid otherwise."""
    token = compact_token(body)
    if token is None:
        raise SignatureInvalid("the body is not a JWT: Wix sends the whole body as one signed token "
                               "(header.payload.signature)")
    try:
        key = public_key(key_text)
    except ValueError:
        raise SignatureInvalid("this source's public_key is not an RSA public key in PEM form") from None
    try:
        claims = jwt.decode(token, key, algorithms=ALGORITHMS, options=_TIME_CHECKS_ON_THE_WALL_CLOCK)
    except jwt.InvalidAlgorithmError:
        raise SignatureInvalid("the JWT is not signed with RS256, the only algorithm Wix uses") from None
    except jwt.InvalidSignatureError:
        raise SignatureInvalid("the JWT's signature does not verify with this source's public_key "
                               "(signed by another app's key, or altered)") from None
    except jwt.InvalidTokenError as error:
        raise SignatureInvalid(f"the body is not a valid JWT: {error}") from None
    _check_times(claims, received_at)
    return claims


def _check_times(claims: dict[str, Any], received_at: datetime) -> None:
    """`exp`, `nbf` and `iat` against the arrival time (each when the token has it)."""
    expires, not_before, issued = (_claim_time(claims, name) for name in ("exp", "nbf", "iat"))
    if expires is not None and received_at > expires + LEEWAY:
        raise SignatureInvalid(f"the JWT expired at {expires.isoformat()}, before it arrived "
                               f"({received_at.isoformat()}): a stale or replayed delivery")
    if not_before is not None and received_at < not_before - LEEWAY:
        raise SignatureInvalid(f"the JWT is not valid before {not_before.isoformat()}")
    if issued is not None and received_at < issued - LEEWAY:
        raise SignatureInvalid(f"the JWT was issued in the future ({issued.isoformat()})")


def _claim_time(claims: dict[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SignatureInvalid(f"the JWT's {name} claim must be seconds since the Unix epoch")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise SignatureInvalid(f"the JWT's {name} claim is out of range") from None
