"""The console's session and CSRF rules: a signed cookie, keyed by the admin token, carrying a CSRF token.

A signed-in cookie also carries a session id, which `sessions.SessionStore` must still know: the
signature says who made the cookie, the database says whether it was signed out since.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "tagway_console"
# The login form's own CSRF cookie: a request without the session (a link followed from another site
# does not carry a SameSite=Strict cookie) never overwrites the session cookie.
LOGIN_COOKIE_NAME = "tagway_console_login"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 12 * 3600
# A fixed label: the cookie key is derived from the admin token, so no new setting is needed and a
# new admin token signs every console session out.
_KEY_LABEL = b"tagway console session v1"
_SALTS = {True: "tagway.console.session", False: "tagway.console.login"}


@dataclass(frozen=True)
class ConsoleSession:
    """What the cookie carries: the CSRF token of this browser and, once signed in, the session's id."""

    csrf: str
    session_id: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether the admin token was given (only a signed-in session has an id)."""
        return self.session_id is not None

    @classmethod
    def fresh(cls, session_id: str | None = None) -> ConsoleSession:
        """A new session with a new CSRF token (a new one at sign-in, so a planted one is worthless)."""
        return cls(csrf=secrets.token_urlsafe(32), session_id=session_id)


def _serializer(admin_token: str, signed_in: bool) -> URLSafeTimedSerializer:
    key = hmac.new(admin_token.encode(), _KEY_LABEL, hashlib.sha256).digest()
    return URLSafeTimedSerializer(key, salt=_SALTS[signed_in])


def _cookie_name(signed_in: bool) -> str:
    return COOKIE_NAME if signed_in else LOGIN_COOKIE_NAME


def read_session(request: Request, admin_token: str, signed_in: bool) -> ConsoleSession | None:
    """The signed-in session (or the login form's), or None when absent, forged, expired or of another token."""
    cookie = request.cookies.get(_cookie_name(signed_in))
    if not cookie:
        return None
    try:
        data = _serializer(admin_token, signed_in).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not _text(data.get("csrf")):
        return None
    session_id = data.get("sid")
    if signed_in != _text(session_id):  # a signed-in cookie without its id (an older one) is signed out
        return None
    return ConsoleSession(csrf=data["csrf"], session_id=session_id if signed_in else None)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def write_session(response: Response, session: ConsoleSession, admin_token: str, secure: bool) -> None:
    """Set the signed cookie: HttpOnly, SameSite=Strict, Secure over HTTPS, only sent to /console."""
    data = {"csrf": session.csrf} if session.session_id is None else {"csrf": session.csrf, "sid": session.session_id}
    value = _serializer(admin_token, session.signed_in).dumps(data)
    response.set_cookie(_cookie_name(session.signed_in), value, max_age=SESSION_SECONDS, path=COOKIE_PATH,
                        secure=secure, httponly=True, samesite="Strict")


def clear_session(response: Response, signed_in: bool, secure: bool) -> None:
    """Remove a cookie: the session's when signing out, the login form's once signed in."""
    response.delete_cookie(_cookie_name(signed_in), path=COOKIE_PATH, secure=secure, httponly=True,
                           samesite="Strict")


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
    """Where to go after signing in: `target` when it is a path inside the console, else `default`.

    Refused: a scheme or host, `//`, `..`, backslashes, and control, format or separator characters
    (a CR or LF would split the Location header), also when percent-encoded, once or several times.
    """
    if not target or _has_unsafe_character(target, _UNSAFE_RAW):
        return default
    path = target.partition("?")[0].partition("#")[0]
    decoded = _fully_unquoted(path)
    if decoded is None or _has_unsafe_character(decoded, _UNSAFE_DECODED) or "//" in decoded:
        return default
    inside = [p for p in (path, decoded) if p == COOKIE_PATH or p.startswith(COOKIE_PATH + "/")]
    if len(inside) != 2 or any(segment in (".", "..") for segment in decoded.split("/")):
        return default
    return target


# Unicode categories: C* are controls and format characters; Z* separators. An encoded space
# (`%20` in an event id) is a fine path, a raw one is not a URL; line separators never are.
_UNSAFE_RAW = ("C", "Z")
_UNSAFE_DECODED = ("C", "Zl", "Zp")


def _has_unsafe_character(text: str, categories: tuple[str, ...]) -> bool:
    # Browsers read a backslash as a slash.
    return any(c == "\\" or unicodedata.category(c).startswith(categories) for c in text)


_MAX_ENCODINGS = 4


def _fully_unquoted(text: str) -> str | None:
    """`text` percent-decoded until nothing changes (None when still encoded after a few rounds)."""
    for _ in range(_MAX_ENCODINGS):
        decoded = unquote(text)
        if decoded == text:
            return text
        text = decoded
    return None
