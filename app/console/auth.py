"""The console's session and CSRF rules: a signed cookie, keyed by the admin token, carrying a CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "tagway_console"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 12 * 3600
# A fixed label: the cookie key is derived from the admin token, so no new setting is needed and a
# new admin token signs every console session out.
_KEY_LABEL = b"tagway console session v1"
_SALT = "tagway.console.session"


@dataclass(frozen=True)
class ConsoleSession:
    """What the cookie carries: the CSRF token of this browser, and whether the admin token was given."""

    csrf: str
    signed_in: bool = False

    @classmethod
    def fresh(cls, signed_in: bool = False) -> ConsoleSession:
        """A new session with a new CSRF token (a new one at sign-in, so a planted one is worthless)."""
        return cls(csrf=secrets.token_urlsafe(32), signed_in=signed_in)


def _serializer(admin_token: str) -> URLSafeTimedSerializer:
    key = hmac.new(admin_token.encode(), _KEY_LABEL, hashlib.sha256).digest()
    return URLSafeTimedSerializer(key, salt=_SALT)


def read_session(request: Request, admin_token: str) -> ConsoleSession | None:
    """The session of the request's cookie, or None when absent, forged, expired or signed by another token."""
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None
    try:
        data = _serializer(admin_token).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str) or not data["csrf"]:
        return None
    return ConsoleSession(csrf=data["csrf"], signed_in=data.get("in") is True)


def write_session(response: Response, session: ConsoleSession, admin_token: str, secure: bool) -> None:
    """Set the signed cookie: HttpOnly, SameSite=Strict, Secure over HTTPS, only sent to /console."""
    value = _serializer(admin_token).dumps({"csrf": session.csrf, "in": session.signed_in})
    response.set_cookie(COOKIE_NAME, value, max_age=SESSION_SECONDS, path=COOKIE_PATH, secure=secure,
                        httponly=True, samesite="Strict")


def clear_session(response: Response, secure: bool) -> None:
    """Remove the cookie (signing out)."""
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, secure=secure, httponly=True, samesite="Strict")


def is_admin_token(given: str, admin_token: str) -> bool:
    """Whether `given` is the admin token; digests first, so the time taken says nothing about the length."""
    given_digest = hashlib.sha256(given.strip().encode()).digest()
    return hmac.compare_digest(given_digest, hashlib.sha256(admin_token.encode()).digest())


def presented_csrf(request: Request) -> str:
    """The CSRF token sent with a request: the header (fetch) or the hidden form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get(CSRF_FIELD, "")
    return ""


def csrf_holds(request: Request, session: ConsoleSession | None) -> bool:
    """Whether the request carries the CSRF token of its own session (compared in constant time)."""
    if session is None:
        return False
    given = presented_csrf(request)
    return bool(given) and hmac.compare_digest(given.encode(), session.csrf.encode())


def safe_next(target: str | None, default: str) -> str:
    """Where to go after signing in: a path inside the console, never another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not target.startswith(COOKIE_PATH + "/") \
            or target.startswith("//"):
        return default
    return target
