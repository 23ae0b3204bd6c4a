"""Per-request metrics and the debug access log (no query strings: they may carry write keys)."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from app.gateway import current_gateway

log = logging.getLogger("tagway.http")


def init_app(app: Flask) -> None:
    """Time every request and count it by route and status."""

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        rule = request.url_rule
        route = rule.rule if rule is not None else "<unmatched>"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        current_gateway().metrics.observe_request(route, request.method, response.status_code, elapsed)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("request", extra={"method": request.method, "path": request.path,
                                        "status": response.status_code, "ms": round(elapsed * 1000, 2)})
        return response
