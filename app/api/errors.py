"""Every error leaves as application/problem+json, never as an HTML page."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from adapters.base import Problem
from app.problems import ProblemError, problem_response, problem_type_uri, storage_unavailable
from app.storage.records import StorageUnavailable

log = logging.getLogger("tagway.http")

_SLUG_OF_STATUS = {404: "not-found", 405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type",
                   429: "rate-limited"}


def as_problem(error: BaseException) -> ProblemError:
    """Any exception raised while answering a request, as the problem to answer with (logged if unexpected)."""
    if isinstance(error, ProblemError):
        return error
    if isinstance(error, StorageUnavailable):
        log.error("storage unavailable", extra={"error": str(error)})
        return storage_unavailable()
    log.exception("unexpected error", exc_info=error)
    return ProblemError("internal-error", [Problem("request", None, "a request the gateway can process")],
                        detail="The error is logged; the input was not recorded, retry later.")


def problem_for(error: BaseException) -> Response:
    """The problem response for any exception raised while answering a request."""
    if isinstance(error, HTTPException):
        return _http_problem(error)
    return as_problem(error).response()


def _http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    slug = _SLUG_OF_STATUS.get(status)
    if slug:
        response = ProblemError(slug, detail=error.description).response()
    else:
        body = {"type": problem_type_uri("http-error"), "title": error.name, "status": status,
                "detail": error.description, "errors": []}
        response = problem_response(body, status)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def init_app(app: Flask) -> None:
    """Install the problem+json error handler for every exception."""
    app.register_error_handler(Exception, problem_for)
