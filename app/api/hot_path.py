"""The ingestion routes, served in front of Flask.

Ingestion is the hot path: every browser event and webhook goes through it. Flask's request
contexts, routing and hooks cost about as much as the rest of a no-op request, so these routes
are dispatched here, straight from WSGI, to the same handlers, errors and metrics as the rest of
the API; every other path falls through to the Flask app.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import orjson
from werkzeug.exceptions import MethodNotAllowed

from adapters.base import Reply
from app.api.collect import handle_collect_get, handle_collect_post, handle_collect_preflight
from app.api.errors import problem_for
from app.api.ingest import handle_events, handle_webhook
from app.gateway import Gateway
from app.http_input import WsgiRequest
from app.ingest import Outcome
from app.problems import PROBLEM_CONTENT_TYPE

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Handler = Callable[[WsgiRequest], Outcome | Reply]
EVENTS_PATH = "/v1/events"
COLLECT_PATH = "/v1/collect"
WEBHOOK_PREFIX = "/v1/webhooks/"
WEBHOOK_ROUTE = WEBHOOK_PREFIX + "<source_id>"  # the metrics' route label, in Flask's rule syntax
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class IngestHotPath:
    """WSGI middleware for /v1/events (POST), /v1/collect and /v1/webhooks/<source_id>; the rest goes to `app`."""

    def __init__(self, app: WsgiApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway
        self.collect: dict[str, Handler] = {
            "GET": lambda request: handle_collect_get(gateway, request),
            "POST": lambda request: handle_collect_post(gateway, request),
            "OPTIONS": lambda request: handle_collect_preflight(gateway, request),
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        if path == EVENTS_PATH:
            if method != "POST":
                return self.app(environ, start_response)  # GET /v1/events is the admin listing
            return self._serve(EVENTS_PATH, lambda request: handle_events(self.gateway, request),
                               environ, start_response)
        if path == COLLECT_PATH:
            handler = self.collect.get(method, _not_allowed("GET", "POST", "OPTIONS"))
            return self._serve(COLLECT_PATH, handler, environ, start_response)
        if path.startswith(WEBHOOK_PREFIX) and "/" not in path[len(WEBHOOK_PREFIX):]:
            source_id = path[len(WEBHOOK_PREFIX):]
            if method != "POST":
                return self._serve(WEBHOOK_ROUTE, _not_allowed("POST"), environ, start_response)
            return self._serve(WEBHOOK_ROUTE, lambda request: handle_webhook(self.gateway, request, source_id),
                               environ, start_response)
        return self.app(environ, start_response)

    def _serve(self, route: str, handler: Handler, environ: dict[str, Any],
               start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        try:
            result = handler(WsgiRequest(environ))
        except Exception as error:  # every failure becomes a problem body, as in the Flask app
            response = problem_for(error)
            self._observe(route, environ, response.status_code, started)
            return response(environ, start_response)
        if isinstance(result, Reply):
            status, body, content_type = result.status, result.body, result.content_type
        else:
            status, body = result.status, orjson.dumps(result.body)
            content_type = PROBLEM_CONTENT_TYPE if result.problem else "application/json"
        self._observe(route, environ, status, started)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *result.headers.items()]
        start_response(STATUS_LINES[status], headers)
        return [body]

    def _observe(self, route: str, environ: dict[str, Any], status: int, started: float) -> None:
        self.gateway.metrics.observe_request(route, environ["REQUEST_METHOD"], status, time.perf_counter() - started)


def _not_allowed(*methods: str) -> Handler:
    def handler(request: WsgiRequest) -> Outcome:
        raise MethodNotAllowed(valid_methods=list(methods))
    return handler
