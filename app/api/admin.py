"""Admin routes (admin token): stored events, kept rejections, replay."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from flask import Blueprint, Response, request
from marshmallow import Schema, ValidationError

from adapters.base import Problem
from app.api.schemas import EventListQuery, RejectionListQuery, ReplayQuery
from app.auth import check_admin
from app.config.messages import flatten_errors
from app.gateway import current_gateway
from app.ingest.replay import replay_rejection
from app.lockout import current_lockout
from app.problems import ProblemError
from app.storage.records import EventQuery, RejectionQuery

blueprint = Blueprint("admin", __name__)


def require_admin() -> None:
    """Refuse a request without the admin token (registered on every admin blueprint)."""
    check_admin(request, current_gateway().config.admin_token, current_lockout())


blueprint.before_request(require_admin)


def load_args(schema: type[Schema], values: Any = None) -> dict[str, Any]:
    """Query parameters (or a JSON body) checked by a schema; a 400 naming each bad one."""
    values = request.args.to_dict() if values is None else values
    try:
        return dict(schema().load(values))
    except ValidationError as error:
        problems = []
        for line in flatten_errors(error.messages):
            field, _, message = line.partition(": ")
            problems.append(Problem(field, values.get(field) if isinstance(values, dict) else values, message))
        raise ProblemError("invalid-parameter", problems) from None


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON answer."""
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


@blueprint.get("/v1/events")
def list_events() -> Response:
    """Stored events, newest first, filtered by source, name, user, id and time."""
    args = load_args(EventListQuery)
    args["event_id"] = args.pop("id", None)
    items = current_gateway().storage.list_events(EventQuery(**args))
    next_cursor = items[-1]["seq"] if len(items) == args["limit"] else None
    return json_response({"items": items, "next": next_cursor})


@blueprint.get("/v1/rejections")
def list_rejections() -> Response:
    """Kept rejections, newest first."""
    args = load_args(RejectionListQuery)
    items = [_presentable(r) for r in current_gateway().storage.list_rejections(RejectionQuery(**args))]
    next_cursor = items[-1]["id"] if len(items) == args["limit"] else None
    return json_response({"items": items, "next": next_cursor})


MAX_ROW_ID = 2**63 - 1  # SQL's BIGINT; a larger id cannot exist


def _row_id(rejection_id: int) -> int:
    if rejection_id > MAX_ROW_ID:
        raise ProblemError("not-found", [Problem("id", rejection_id, "the id of a kept rejection")])
    return rejection_id


@blueprint.get("/v1/rejections/<int:rejection_id>")
def get_rejection(rejection_id: int) -> Response:
    """One rejection with the request it came from."""
    rejection = current_gateway().storage.get_rejection(_row_id(rejection_id))
    if rejection is None:
        raise ProblemError("not-found", [Problem("id", rejection_id, "the id of a kept rejection")])
    kept = rejection.pop("input")
    result = _presentable(rejection, kept)
    result["input"] = None if kept is None else {k: kept[k] for k in ("method", "path", "query", "headers")}
    return json_response(result)


@blueprint.post("/v1/rejections/<int:rejection_id>/replay")
def replay(rejection_id: int) -> Response:
    """Run a kept input through ingestion again."""
    args = load_args(ReplayQuery)
    outcome = replay_rejection(current_gateway(), _row_id(rejection_id), args.get("source"))
    return json_response({"rejectionId": rejection_id, "status": outcome.status, "result": outcome.body})


def _presentable(rejection: dict[str, Any], kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """A rejection as JSON: the refused bytes as UTF-8 text when they are, else base64."""
    event_body = rejection.pop("eventBody", None)
    body = event_body if event_body is not None else (kept or {}).get("body")
    result = dict(rejection)
    if body is None:
        result.update(body=None, bodySize=None)
        return result
    try:
        result.update(body=body.decode("utf-8"), bodyEncoding="utf-8")
    except UnicodeDecodeError:
        result.update(body=base64.b64encode(body).decode(), bodyEncoding="base64")
    result["bodySize"] = len(body) if event_body is not None else (kept or {}).get("bodySize")
    return result
