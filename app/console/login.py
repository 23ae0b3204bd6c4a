"""Signing in with the admin token, and signing out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.console.auth import is_admin_token, safe_next
from app.console.guard import end_session, public, signed_in, start_session
from app.gateway import current_gateway

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
def sign_in() -> Response | tuple[str, int]:
    """Check the pasted admin token; on success start a signed-in session with a new CSRF token."""
    target = safe_next(request.form.get("next"), url_for("console.live.page"))
    if not is_admin_token(request.form.get("token", ""), current_gateway().config.admin_token):
        # The pasted value is never echoed back into the page.
        page = render_template("console/login.html", next=target, error=(
            "That is not the admin token. Copy the value of token under [admin] in tagway.toml "
            "(or the admin token printed by `tagway init`) and paste it again."))
        return page, 401
    start_session()
    return redirect(target, 303)


@blueprint.post("/logout")
def sign_out() -> Response:
    """End the session: the cookie is removed."""
    end_session()
    return redirect(url_for("console.login.form"), 303)
