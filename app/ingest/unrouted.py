"""Requests to an ingestion path that no route takes (a method it does not take, a path below a webhook URL).

They are refused like any other input, and kept within the budget of unknown callers, so that a provider
misconfigured to PUT or to post to a wrong URL shows up among the rejections.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.base import Problem
from app.gateway import Gateway
from app.ingest.outcome import Outcome
from app.ingest.request import WsgiRequest, receive
from app.problems import ProblemError


def handle_unrouted(gateway: Gateway, request: WsgiRequest, allowed: Sequence[str] | None) -> Outcome:
    """405 with `Allow` when the path takes other methods (`allowed`), else 404; the input kept."""
    received = receive(request, gateway.config.limits, gateway.clock())
    record = received.record("unrouted", None, None)
    return gateway.pipeline.run(record, _refuse, request, allowed)


def _refuse(request: WsgiRequest, allowed: Sequence[str] | None) -> Outcome:
    if allowed:
        methods = ", ".join(sorted(allowed))
        raise ProblemError("method-not-allowed", [Problem("method", request.method, f"one of {methods}")],
                           headers={"Allow": methods})
    raise ProblemError("not-found", [Problem(
        "path", request.path, "an ingestion URL: /v1/events, /v1/collect or /v1/webhooks/<source id>")])
