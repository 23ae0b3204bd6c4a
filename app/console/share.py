"""Sharing a source read-only: the admin makes, lists and revokes a source's viewer links."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.config.model import SourceConfig
from app.console.viewer import viewer_links
from app.gateway import current_gateway

blueprint = Blueprint("share", __name__)


def _source(source_id: str) -> SourceConfig | None:
    return current_gateway().sources.get(source_id)


def _no_source(source_id: str) -> Response:
    page = render_template("console/message.html", title="No such source",
                           detail=f"There is no source {source_id!r}. Open the Sources page and pick one.")
    return Response(page, status=404)


def _page(source: SourceConfig, new_link: str | None = None, status: int = 200) -> Response:
    page = render_template("console/share.html", source=source, links=viewer_links().of_source(source.id),
                           new_link=new_link)
    return Response(page, status=status)


@blueprint.get("/sources/<source_id>/share")
def page(source_id: str) -> Response:
    """The source's viewer links, and the form that makes one."""
    source = _source(source_id)
    return _page(source) if source is not None else _no_source(source_id)


@blueprint.post("/sources/<source_id>/share")
def create(source_id: str) -> Response:
    """Make a link and show it, once: only its digest is kept."""
    source = _source(source_id)
    if source is None:
        return _no_source(source_id)
    _, token = viewer_links().create(source.id, request.form.get("label", ""))
    link = f"{current_gateway().config.server.public_url.rstrip('/')}{url_for('console.viewer.landing')}#{token}"
    return _page(source, new_link=link, status=201)


@blueprint.post("/sources/<source_id>/share/<link_id>/revoke")
def revoke(source_id: str, link_id: str) -> BaseResponse:
    """Revoke a link: it opens nothing from now on, and the sessions it opened end."""
    if _source(source_id) is None:
        return _no_source(source_id)
    viewer_links().revoke(source_id, link_id)
    return redirect(url_for("console.share.page", source_id=source_id), 303)
