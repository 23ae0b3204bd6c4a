"""The console at /console: live events, sources, the canonical URL checker and deliveries, behind the admin token.

Plain HTML, CSS and JavaScript served by the gateway itself (no CDN, no build step). Every request
passes `guard`: signed in with the admin token (or a viewer link, limited to its source's live events
and rejections), and a CSRF token on every POST.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, url_for
from werkzeug.wrappers import Response

from app.config.public_address import public_url_problem
from app.console import (
    checker,
    deliveries,
    details,
    guard,
    live,
    login,
    people,
    rejection_replay,
    share,
    source_editor,
    sources,
    template_download,
    viewer,
)
from app.console.auth import CSRF_FIELD, CSRF_HEADER
from app.console.text import code_spans, console_time
from app.gateway import current_gateway

blueprint = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                      static_folder="static")
for part in (login, viewer, live, details, rejection_replay, sources, source_editor, share, template_download,
             checker, deliveries, people):
    blueprint.register_blueprint(part.blueprint)
guard.install(blueprint)
# For text written with `code` in backticks: setup steps, how to fix a rejection.
blueprint.add_app_template_filter(code_spans, "code_spans")
blueprint.add_app_template_filter(console_time, "console_time")


@blueprint.get("/")
def index() -> Response:
    """The console opens on the live events."""
    return redirect(url_for("console.live.page"), 303)


@blueprint.context_processor
def _session() -> dict[str, Any]:
    """The CSRF token of this session, for forms (hidden field) and scripts (meta tag); who is signed in."""
    current = g.get("console_session")
    signed_in = guard.signed_in()
    address_problem = public_url_problem(current_gateway().config.server.public_url) if signed_in else None
    return {"csrf_token": current.csrf if current is not None else "", "csrf_field": CSRF_FIELD,
            "csrf_header": CSRF_HEADER, "signed_in": signed_in, "public_url_problem": address_problem,
            "viewer_source": _viewer_title()}


def _viewer_title() -> str | None:
    """What a viewer link's session is limited to, as the page names it: the source's title (else its id)."""
    source_id = guard.viewer_source()
    if source_id is None:
        return None
    source = current_gateway().sources.get(source_id)
    return (source.title if source is not None else "") or source_id
