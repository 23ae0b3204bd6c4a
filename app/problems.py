"""Errors as `application/problem+json` (RFC 9457) with field / value / expectation items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from flask import Response

from adapters.base import Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"

# slug → (status, title); the slug is the stable part of the problem type URI.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "invalid-body": (400, "The request's body could not be read"),
    "malformed-request": (400, "The request is not well-formed HTTP"),
    "invalid-json": (400, "The body is not valid JSON"),
    "invalid-event": (400, "The event does not match the canonical event schema"),
    "invalid-payload": (400, "The payload cannot be turned into events"),
    "invalid-parameter": (400, "A query parameter is not valid"),
    "unauthorized": (401, "Missing or unknown credentials"),
    "signature-invalid": (401, "The webhook signature does not verify"),
    "not-found": (404, "No such resource"),
    "method-not-allowed": (405, "Method not allowed"),
    "request-timeout": (408, "The request was not sent whole in time"),
    "not-replayable": (409, "This rejection cannot be replayed"),
    "too-large": (413, "The request is too large"),
    "uri-too-long": (414, "The request line is too long"),
    "unsupported-media-type": (415, "Unsupported content type"),
    "expectation-failed": (417, "The Expect header cannot be met"),
    "rate-limited": (429, "Too many requests"),
    "headers-too-large": (431, "Too many or too large headers"),
    "adapter-error": (500, "The adapter failed on this input; the input is kept and can be replayed"),
    "internal-error": (500, "The gateway failed to process the request"),
    "unsupported-transfer-coding": (501, "The transfer coding is not supported"),
    "storage-unavailable": (503, "Storage is unavailable; nothing was recorded, retry later"),
    "source-pending": (503, "The source waits for a setting; the input is kept, retry later"),
}


def problem_type_uri(slug: str) -> str:
    """The type URI of a problem slug."""
    return f"urn:tagway:problem:{slug}"


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem body."""

    def __init__(self, slug: str, problems: Iterable[Problem] = (), detail: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        self.slug = slug
        self.status, self.title = PROBLEM_TYPES[slug]
        self.problems = list(problems)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail or self.title)

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {"type": problem_type_uri(self.slug), "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        body["errors"] = [p.as_dict() for p in self.problems]
        body.update(self.extra)
        return body

    def response(self) -> Response:
        """The Flask response."""
        return problem_response(self.body(), self.status, self.headers)


def problem_response(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    """A problem body as a response with the problem+json media type."""
    response = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def storage_unavailable() -> ProblemError:
    """The answer when nothing could be recorded: the client must send again."""
    return ProblemError("storage-unavailable", detail="Nothing was recorded; retry later.",
                        headers={"Retry-After": "1"})
