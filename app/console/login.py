"""Signing in with the admin token, and signing out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.console.auth import is_admin_token, safe_next
from app.console.guard import end_session, public, signed_in, start_session, viewer_allowed
from app.gateway import current_gateway
from app.lockout import current_lockout

blueprint = Blueprint("login", __name__)


@blueprint.get("/login")
@public
def form() -> Response | str:
    """The sign-in page (or, when the browser is signed in already, where it was going)."""
    if signed_in():
        return redirect(safe_next(request.args.get("next"), url_for("console.live.page")), 303)
    return render_template("console/login.html", next=safe_next(request.args.get("next"), ""), error=None)


@blueprint.post("/login")
@public
def sign_in() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Check the pasted admin token; on success start a signed-in session with a new CSRF token.

    An address that sent too many wrong tokens is locked out first, even with the right one.
    """
    target = safe_next(request.form.get("next"), url_for("console.live.page"))
    lockout = current_lockout()
    retry_after = lockout.retry_after(request.remote_addr)
    if retry_after is not None:
        page = render_template("console/login.html", next=target, error=(
            f"Too many wrong admin tokens were sent from your address. Signing in is locked for "
            f"{_duration(retry_after)}; try again after that."))
        return page, 429, {"Retry-After": str(retry_after)}
    if not is_admin_token(request.form.get("token", ""), current_gateway().config.admin_token):
        lockout.record_failure(request.remote_addr, "console sign-in")
        # The pasted value is never echoed back into the page.
        page = render_template("console/login.html", next=target, error=(
            "That is not the admin token. Copy the value of token under [admin] in tagway.toml "
            "(or the admin token printed by `tagway init`) and paste it again."))
        return page, 401
    start_session()
    return redirect(target, 303)


def _duration(seconds: int) -> str:
    """`40 seconds`, `1 minute`, `15 minutes`: rounded up, as a person reads it."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@blueprint.post("/logout")
@viewer_allowed
def sign_out() -> Response:
    """End this session: revoked in the database (the cookie is worthless wherever a copy is), and removed."""
    end_session()
    return redirect(url_for("console.login.form"), 303)


@blueprint.post("/logout/everywhere")
def sign_out_everywhere() -> Response:
    """End every console session, in every browser: each one has to sign in again."""
    end_session(everywhere=True)
    return redirect(url_for("console.login.form"), 303)
