"""Who is calling: a source by its write key, or the operator by the admin token."""

from __future__ import annotations

import base64
import binascii
import hmac

from werkzeug.wrappers import Request

from adapters.base import Problem
from app.lockout import Lockout
from app.problems import ProblemError
from app.sources.catalog import key_digest


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


def is_admin(request: Request, admin_token: str) -> bool:
    """Whether the request carries the admin token (compared in constant time)."""
    given = presented_credential(request)
    return given is not None and hmac.compare_digest(key_digest(given), key_digest(admin_token))


def check_admin(request: Request, admin_token: str, lockout: Lockout) -> None:
    """Refuse a request without the admin token (401), or from an address locked out for guessing it (429).

    The lockout comes first, so that even the right token is refused during it: a guess that
    happens to be right tells the guesser nothing until the lockout ends.
    """
    address = request.remote_addr
    retry_after = lockout.retry_after(address)
    if retry_after is not None:
        raise ProblemError("rate-limited", [Problem("Authorization", None, (
            f"no admin token from {address} for {retry_after} s: too many wrong ones were sent from there"))],
            detail="Too many wrong admin tokens from this address; retry after Retry-After seconds.",
            headers={"Retry-After": str(retry_after)})
    if is_admin(request, admin_token):
        return
    if presented_credential(request) is not None:  # a missing credential guesses nothing
        lockout.record_failure(address, "admin API")
    raise ProblemError("unauthorized", [Problem("Authorization", None, "Bearer <admin token from tagway.toml>")],
                       headers={"WWW-Authenticate": 'Bearer realm="tagway admin"'})
