"""The one answer of ingestion: a status, a body, its media type and headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from adapters.base import Reply
from app.problems import PROBLEM_CONTENT_TYPE, ProblemError

JSON = "application/json"


@dataclass(slots=True)
class Outcome:
    """What an ingestion handler answers: a JSON body (a dict), or raw bytes (an adapter's handshake, an image)."""

    status: int
    body: dict[str, Any] | bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_problem(cls, error: ProblemError) -> Outcome:
        """A refusal or a failure, as its problem body."""
        return cls(error.status, error.body(), PROBLEM_CONTENT_TYPE, dict(error.headers))

    @classmethod
    def of_reply(cls, reply: Reply) -> Outcome:
        """An adapter's direct answer to a provider's handshake or ping."""
        return cls(reply.status, reply.body, reply.content_type, dict(reply.headers))

    @property
    def problem(self) -> bool:
        """Whether this is a problem body (the input was refused, or could not be recorded)."""
        return self.content_type == PROBLEM_CONTENT_TYPE

    @property
    def data(self) -> dict[str, Any]:
        """The JSON body ({} for raw bytes)."""
        return self.body if isinstance(self.body, dict) else {}

    def encoded(self) -> bytes:
        """The body as sent."""
        return self.body if isinstance(self.body, bytes) else orjson.dumps(self.body)
