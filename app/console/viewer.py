"""Opening a viewer link: a console session limited to the link's source (its live events and rejections).

The link is `<public URL>/console/view#<token>`: the token travels in the fragment, which browsers never
send, so it appears in no proxy's or gateway's request log. view.js puts it into the form, and the
button posts it (a same-site POST: the session cookie, SameSite=Strict, is then set and sent as usual,
and link previews that only fetch the page open nothing).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.console.auth import SESSION_SECONDS
from app.console.guard import public, start_session
from app.console.sessions import SessionScope, SessionStore
from app.console.viewer_links import ViewerLinks
from app.gateway import current_gateway
from app.lockout import current_lockout

blueprint = Blueprint("viewer", __name__)


def viewer_links() -> ViewerLinks:
    """The gateway's viewer links (their sessions are console sessions)."""
    storage = current_gateway().storage
    return ViewerLinks(storage, SessionStore(storage, SESSION_SECONDS))


@blueprint.get("/view")
@public
def landing() -> str:
    """The page a viewer link opens: one button that opens the source's live events."""
    return render_template("console/view.html", error=None)


@blueprint.post("/view")
@public
def open_link() -> BaseResponse:
    """Start a session limited to the link's source, then show its live events.

    Wrong link tokens count with wrong admin tokens: an address that sent too many is locked out of both.
    """
    lockout = current_lockout()
    retry_after = lockout.retry_after(request.remote_addr)
    if retry_after is not None:
        page = render_template("console/view.html", error=(
            "Too many wrong links or tokens were sent from your address. Try again in a quarter of an hour."))
        return Response(page, status=429, headers={"Retry-After": str(retry_after)})
    link = viewer_links().find(request.form.get("token", "").strip())
    if link is None:  # the token is never echoed back into the page
        lockout.record_failure(request.remote_addr, "viewer link")
        page = render_template("console/view.html", error=(
            "This link does not open anything: it was revoked, or it was not copied whole. "
            "Ask whoever runs the gateway for a new one."))
        return Response(page, status=404)
    start_session(SessionScope(link.source_id, link.id))
    return redirect(url_for("console.live.page") + "?" + urlencode({"source": link.source_id}), 303)
