"""Health, readiness, metrics, the event schema and the OpenAPI document."""

from __future__ import annotations

import functools
import json

import orjson
from flask import Blueprint, Response

from app.api.openapi import build_openapi
from app.event.schema import event_schema
from app.gateway import current_gateway
from app.metrics import OutboxFigures
from app.storage.readiness import NotReady
from app.storage.records import StorageUnavailable

blueprint = Blueprint("meta", __name__)


def _json(body: object, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(orjson.dumps(body), status=status, mimetype=mimetype)


@blueprint.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers (it never touches storage, so a stalled database cannot stall it)."""
    return _json({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    """Readiness: a write would succeed now (checked with short timeouts, never behind the writers)."""
    try:
        current_gateway().storage.check_ready()
    except StorageUnavailable as error:
        reason = error.reason if isinstance(error, NotReady) else "unavailable"
        # Up to the engine's own words: they may name hosts, and anyone may ask.
        return _json({"status": "unavailable", "reason": reason, "detail": str(error).split(":", 1)[0]}, 503)
    return _json({"status": "ok"})


@blueprint.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition."""
    gateway = current_gateway()
    outbox: OutboxFigures | None
    try:  # two small reads: rows not delivered yet (along an index) and the finished totals' table
        outbox = OutboxFigures(gateway.storage.open_counts(), gateway.storage.delivery_totals())
    except StorageUnavailable:
        outbox = None  # the metrics of the processes still say something
    try:  # per projection: its cursor, a count past it and the oldest event past it (along the primary key)
        lags = gateway.projection_runner().lags()
    except StorageUnavailable:
        lags = []
    body, content_type = gateway.metrics.exposition(outbox, lags)
    return Response(body, content_type=content_type)


@blueprint.get("/v1/schema/event")
def schema() -> Response:
    """The canonical event JSON Schema."""
    return Response(json.dumps(event_schema(), indent=2), mimetype="application/schema+json")


@functools.cache
def _openapi_text(server_url: str, sdk_path: str) -> bytes:
    return orjson.dumps(build_openapi(server_url, sdk_path))


@blueprint.get("/v1/openapi.json")
def openapi() -> Response:
    """The OpenAPI document."""
    config = current_gateway().config
    return Response(_openapi_text(config.server.public_url, config.sdk.path), mimetype="application/json")
