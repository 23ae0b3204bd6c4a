"""Who is calling: a source by its write key, or the operator by the admin token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from werkzeug.wrappers import Request

from app.config.model import SourceConfig


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def presented_credential(request: Request) -> str | None:
    """The key from `Authorization: Bearer <key>` or Basic auth with the key as user name (Segment-style)."""
    return credential_from_header(request.environ.get("HTTP_AUTHORIZATION", ""))


def credential_from_header(header: str) -> str | None:
    """The key in an Authorization header value, or None."""
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


class WriteKeys:
    """Finds the source of a write key without comparing secrets byte by byte in variable time.

    Keys are looked up by their SHA-256 digest: the time a lookup takes says nothing about how
    much of a guessed key was right.
    """

    def __init__(self, sources: Mapping[str, SourceConfig]) -> None:
        self._by_digest = {_digest(s.write_key): s for s in sources.values() if s.write_key and s.enabled}

    def source_for(self, key: str | None) -> SourceConfig | None:
        """The enabled source whose write key this is, or None."""
        if not key:
            return None
        return self._by_digest.get(_digest(key))


def is_admin(request: Request, admin_token: str) -> bool:
    """Whether the request carries the admin token (compared in constant time)."""
    given = presented_credential(request)
    return given is not None and hmac.compare_digest(_digest(given), _digest(admin_token))
