"""Every console request passes here: sign-in required (except the login page), CSRF checked on each POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from markupsafe import escape
from werkzeug.wrappers import Response as BaseResponse

from app.console.auth import (
    SESSION_SECONDS,
    ConsoleSession,
    clear_session,
    csrf_holds,
    read_session,
    write_session,
)
from app.console.sessions import ADMIN, SessionScope, SessionStore
from app.gateway import current_gateway
from app.logs import REDACTED
from app.problems import problem_response, problem_type_uri

View = TypeVar("View", bound=Callable[..., Any])
API_PREFIX = "/console/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Only our own files: no inline script or style, no other origin, never inside another site's frame.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def public(view: View) -> View:
    """Mark a view as reachable without signing in (the login page)."""
    view.console_public = True  # type: ignore[attr-defined]
    return view


def viewer_allowed(view: View) -> View:
    """Mark a view that a viewer link's session may use too (it limits what it shows to that source itself)."""
    view.console_viewer_allowed = True  # type: ignore[attr-defined]
    return view


def reveals_secret(view: View) -> View:
    """Mark the one view whose answer is a secret (the explicit reveal); every other answer is scrubbed."""
    view.console_reveals_secret = True  # type: ignore[attr-defined]
    return view


def _scrub_secrets(response: Response) -> None:
    """Replace any configured secret left in a page or JSON answer (raw or HTML-escaped) with [redacted].

    The pages scrub what they show already; this catches a value shown without it (an event id
    someone set to their write key, say). Streams are scrubbed row by row where they are made.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if response.is_streamed or getattr(view, "console_reveals_secret", False) or \
            response.mimetype not in ("text/html", "application/json", "application/problem+json"):
        return
    text = response.get_data(as_text=True)
    scrubbed = text
    for secret in sorted((s for s in current_gateway().secrets() if len(s) >= 4), key=len, reverse=True):
        for form in {secret, str(escape(secret))}:
            scrubbed = scrubbed.replace(form, REDACTED)
    if scrubbed != text:
        response.set_data(scrubbed)


def session() -> ConsoleSession:
    """The console session of the current request: signed in, or the login form's."""
    current = g.get("console_session")
    assert isinstance(current, ConsoleSession)
    return current


def signed_in() -> bool:
    """Whether the request came with the admin's signed-in session (also known on the login page)."""
    return g.get("console_signed_in") is not None and g.console_scope.is_admin


def viewer_source() -> str | None:
    """The one source a viewer link's session may see, or None for the admin (and the signed out)."""
    if g.get("console_signed_in") is None:
        return None
    scope: SessionScope = g.console_scope
    return scope.source_id


def refuse_other_source(source_id: str | None) -> Response | None:
    """For a viewer's session, a 403 when `source_id` is another source than its own; None when allowed."""
    own = viewer_source()
    if own is None or source_id == own:
        return None
    return refuse(403, "This link does not open that", f"This link opens the events of {own} only.")


def _sessions() -> SessionStore:
    return SessionStore(current_gateway().storage, SESSION_SECONDS)


def start_session(scope: SessionScope = ADMIN) -> None:
    """Sign in: a new session with a new CSRF token, so that a token seen before signing in is worthless.

    The admin token opens an admin's session; a viewer link one limited to its source (`scope`).
    """
    g.console_session = ConsoleSession.fresh(_sessions().start(scope))
    g.console_cookie = "sign-in"


def end_session(everywhere: bool = False) -> None:
    """Sign out: this session (or every one) is revoked in the database, and this browser's cookie removed."""
    current = session().session_id
    assert current is not None  # only a signed-in request gets here
    if everywhere:
        _sessions().revoke_all()
    else:
        _sessions().revoke(current)
    g.console_cookie = "sign-out"


def _signed_in_session(admin_token: str) -> tuple[ConsoleSession, SessionScope] | None:
    """The request's signed-in session and what it may see, when its cookie is genuine and it is still live."""
    found = read_session(request, admin_token, signed_in=True)
    if found is None or found.session_id is None:
        return None
    scope = _sessions().find(found.session_id)
    return None if scope is None else (found, scope)


def refuse(status: int, title: str, detail: str) -> Response:
    """A refusal a person can act on: JSON for the console's API, a page otherwise."""
    if request.path.startswith(API_PREFIX):
        slug = "forbidden" if status == 403 else "unauthorized"
        return problem_response({"type": problem_type_uri(slug), "title": title, "status": status,
                                 "detail": detail, "errors": []}, status)
    return Response(render_template("console/message.html", title=title, detail=detail), status=status)


def _here() -> str:
    """The path and query of this request, percent-encoded, to come back to after signing in."""
    query = request.query_string.decode("latin-1")
    return quote(request.path) + ("?" + query if query else "")


def _check_request() -> BaseResponse | None:
    if request.endpoint == "console.static":
        return None  # stylesheets and scripts: nothing secret
    admin_token = current_gateway().config.admin_token
    signed = _signed_in_session(admin_token)
    g.console_signed_in, g.console_scope = signed if signed is not None else (None, ADMIN)
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "console_public", False):
        found = read_session(request, admin_token, signed_in=False)
        g.console_session = found or ConsoleSession.fresh()
        g.console_cookie = None if found is not None else "login-form"
    else:
        found = g.console_signed_in
        if found is None:  # nothing is written back: a refused request never touches the cookies
            if request.path.startswith(API_PREFIX) or request.method in UNSAFE_METHODS:
                return refuse(401, "Sign in first",
                              "Your console session has ended. Open the console and paste the admin token again.")
            return redirect(url_for("console.login.form") + "?" + urlencode({"next": _here()}), 303)
        g.console_session = found
        scope = g.console_scope
        if not scope.is_admin and not getattr(view, "console_viewer_allowed", False):
            # A viewer link opens its source's live events and rejections, and nothing of the admin's.
            return refuse(403, "This link does not open that",
                          f"This link opens the live events and rejections of {scope.source_id} only. "
                          "Sign out and sign in with the admin token to see the rest of the console.")
    if request.method in UNSAFE_METHODS and not csrf_holds(request, found):
        return refuse(403, "This action was refused",
                      "The page's security token is missing or out of date (it changes when you sign in). "
                      "Reload the page and try again.")
    return None


def _finish_response(response: Response) -> Response:
    change = g.get("console_cookie")
    secure = request.is_secure
    admin_token = current_gateway().config.admin_token
    if change == "login-form":
        write_session(response, session(), admin_token, secure)
    elif change == "sign-in":
        write_session(response, session(), admin_token, secure)
        clear_session(response, signed_in=False, secure=secure)
    elif change == "sign-out":
        clear_session(response, signed_in=True, secure=secure)
    _scrub_secrets(response)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    if request.endpoint != "console.static":
        headers["Cache-Control"] = "no-store"  # pages may show events and, on reveal, secrets
    return response


def install(blueprint: Blueprint) -> None:
    """Guard every request of the console blueprint and its nested blueprints."""
    blueprint.before_request(_check_request)
    blueprint.after_request(_finish_response)
