"""The ingestion routes: one table, served straight from WSGI in front of Flask and listed in Flask's URL map.

Ingestion is the hot path: every browser event and webhook goes through it. Flask's request contexts, routing and
hooks cost about as much as the rest of a no-op request, so `HotPath` dispatches these routes itself, to the same
handlers, metrics and problem bodies. The same table is registered in Flask's URL map, so that `flask routes`,
`url_for` and the OpenAPI test see every endpoint; a method a route does not take falls through to Flask, which
answers it (405 with `Allow`, or another blueprint's view such as the admin's `GET /v1/events`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import MapAdapter

from app.api.errors import as_problem
from app.gateway import Gateway
from app.ingest.collect import handle_collect_get, handle_collect_post, handle_collect_preflight
from app.ingest.events import handle_events
from app.ingest.outcome import Outcome
from app.ingest.request import WsgiRequest
from app.ingest.sdk_file import handle_sdk_file
from app.ingest.segment_api import TRACKING_PATHS, handle_tracking_call
from app.ingest.unrouted import handle_unrouted
from app.ingest.webhooks import handle_webhook

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Handler = Callable[..., Outcome]
"""`handler(gateway, request, **path_values)`."""
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


@dataclass(frozen=True)
class Route:
    """One ingestion endpoint: its rule (Flask's syntax, at most one trailing variable), endpoint name, handlers."""

    rule: str
    endpoint: str
    handlers: Mapping[str, Handler]
    prefix: str = field(init=False)
    variable: str | None = field(init=False)

    def handler(self, method: str) -> Handler | None:
        """The handler of a method (HEAD is GET without the body, which the server leaves out)."""
        return self.handlers.get("GET" if method == "HEAD" else method)

    def __post_init__(self) -> None:
        start = self.rule.find("<")
        if start >= 0 and not self.rule.endswith(">"):
            raise ValueError(f"{self.rule}: the hot path takes one variable, at the end of the rule")
        object.__setattr__(self, "prefix", self.rule if start < 0 else self.rule[:start])
        object.__setattr__(self, "variable", None if start < 0 else self.rule[start + 1:-1])


ROUTES = (
    Route("/v1/events", "ingest.events", {"POST": handle_events}),
    Route("/v1/collect", "ingest.collect",
          {"GET": handle_collect_get, "POST": handle_collect_post, "OPTIONS": handle_collect_preflight}),
    Route("/v1/webhooks/<source_id>", "ingest.webhook", {"POST": handle_webhook}),
    # Segment's HTTP Tracking API, for the Segment- and RudderStack-compatible libraries.
    *(Route(path, f"ingest.segment_{path.rsplit('/', 1)[-1]}", {"POST": handle_tracking_call})
      for path in TRACKING_PATHS),
    Route("/t/<file>", "sdk.file", {"GET": handle_sdk_file}),
)
SDK_ENDPOINT = "sdk.file"
"""The route of tagway.js, whose prefix is `[sdk] path` (`/t` above is the default)."""


def configured_routes(gateway: Gateway) -> tuple[Route, ...]:
    """`ROUTES` with the SDK file under the configured prefix."""
    prefix = gateway.config.sdk.path
    return tuple(replace(route, rule=f"{prefix}/<file>") if route.endpoint == SDK_ENDPOINT else route
                 for route in ROUTES)


class HotPath:
    """WSGI middleware serving the ingestion routes; every other request goes to `app`."""

    def __init__(self, app: WsgiApp, gateway: Gateway, urls: MapAdapter, routes: Iterable[Route] = ROUTES) -> None:
        self.app = app
        self.gateway = gateway
        self.urls = urls
        self.exact = {route.rule: route for route in routes if route.variable is None}
        self.prefixed = [route for route in routes if route.variable is not None]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        route = self.exact.get(path)
        values: dict[str, str] = {}
        if route is None:
            route = self._prefixed(path, values)
            if route is None:
                if any(path.startswith(r.prefix) for r in self.prefixed):  # /v1/webhooks/a/b
                    return self._unrouted(environ, start_response, path, None)
                return self.app(environ, start_response)
        method = environ["REQUEST_METHOD"]
        handler = route.handler(method)
        if handler is None:
            try:
                self.urls.match(path, method)
            except MethodNotAllowed as error:
                return self._unrouted(environ, start_response, route.rule, list(error.valid_methods or ()))
            except NotFound:
                return self._unrouted(environ, start_response, route.rule, None)
            return self.app(environ, start_response)  # another view takes it (the admin's GET /v1/events)
        return self._write(route.rule, partial(serve, self.gateway, handler, WsgiRequest(environ), values),
                           environ, start_response)

    def _unrouted(self, environ: dict[str, Any], start_response: Callable[..., Any], label: str,
                  allowed: Sequence[str] | None) -> Iterable[bytes]:
        return self._write(label, partial(serve, self.gateway, handle_unrouted, WsgiRequest(environ), {},
                                          allowed=allowed), environ, start_response)

    def _write(self, label: str, answer: Callable[[], Outcome], environ: dict[str, Any],
               start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        outcome = answer()
        self.gateway.metrics.observe_request(label, environ["REQUEST_METHOD"], outcome.status,
                                             time.perf_counter() - started)
        body = outcome.encoded()
        headers = [("Content-Type", outcome.content_type), ("Content-Length", str(len(body))),
                   *outcome.headers.items()]
        start_response(STATUS_LINES[outcome.status], headers)
        return [body]

    def _prefixed(self, path: str, values: dict[str, str]) -> Route | None:
        for route in self.prefixed:
            if path.startswith(route.prefix):
                rest = path[len(route.prefix):]
                if rest and "/" not in rest:
                    values[route.variable or ""] = rest
                    return route
        return None


def serve(gateway: Gateway, handler: Handler, wsgi_request: WsgiRequest, values: Mapping[str, str],
          **extra: Any) -> Outcome:
    """Run a handler; a failure before the input could be read becomes its problem body."""
    try:
        return handler(gateway, wsgi_request, **values, **extra)
    except Exception as error:  # the handlers keep what they read; this is the last resort of a bug
        return Outcome.of_problem(as_problem(error))


def init_app(app: Flask, gateway: Gateway) -> None:
    """List the routes in Flask's URL map (served there too) and serve them in front of Flask."""
    routes = configured_routes(gateway)
    for route in routes:
        app.add_url_rule(route.rule, route.endpoint, _flask_view(gateway, route), methods=list(route.handlers),
                         provide_automatic_options="OPTIONS" not in route.handlers)
    app.wsgi_app = HotPath(app.wsgi_app, gateway, app.url_map.bind(""), routes)  # type: ignore[method-assign]


def _flask_view(gateway: Gateway, route: Route) -> Callable[..., Response]:
    """The route as a Flask view: the same handler, for a request that reaches Flask (e.g. a test client's)."""
    def view(**values: str) -> Response:
        handler = route.handler(request.method)
        assert handler is not None  # Flask routes here only the methods the rule lists
        outcome = serve(gateway, handler, WsgiRequest(request.environ), values)
        return Response(outcome.encoded(), status=outcome.status, headers=outcome.headers,
                        content_type=outcome.content_type)
    return view
