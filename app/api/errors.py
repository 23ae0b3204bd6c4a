"""Every error leaves as application/problem+json, never as an HTML page."""

from __future__ import annotations

import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from adapters.base import Problem
from app.problems import ProblemError, problem_response, problem_type_uri
from app.storage.records import StorageUnavailable

log = logging.getLogger("tagway.http")

_SLUG_OF_STATUS = {404: "not-found", 405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type",
                   429: "rate-limited"}


def init_app(app: Flask) -> None:
    """Install the problem+json error handlers."""

    @app.errorhandler(ProblemError)
    def _problem(error: ProblemError) -> Response:
        return error.response()

    @app.errorhandler(StorageUnavailable)
    def _storage(error: StorageUnavailable) -> Response:
        log.error("storage unavailable", extra={"error": str(error)})
        return ProblemError("storage-unavailable", detail="Nothing was recorded; retry later.",
                            headers={"Retry-After": "1"}).response()

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        slug = _SLUG_OF_STATUS.get(status)
        if slug:
            response = ProblemError(slug, detail=error.description).response()
        else:
            body = {"type": problem_type_uri("http-error"), "title": error.name, "status": status,
                    "detail": error.description, "errors": []}
            response = problem_response(body, status)
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return ProblemError("internal-error", [Problem("request", None, "a request the gateway can process")],
                            detail="The error is logged; the input was not recorded, retry later.").response()
