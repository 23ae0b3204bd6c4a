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


# Why a kept rejection was refused, in words for whoever set the source up: its title, and what to do.
# Keyed by the rejection's `reason` (ingestion maps each problem type above to one); the console's
# rejection page and live list show them. Every reason ingestion can keep has an entry (tested).
REJECTION_HELP: dict[str, tuple[str, str]] = {
    "auth": ("Missing or wrong write key",
             "The request carried no write key, or one this gateway does not know. Open the source on the Sources "
             "page, press Reveal beside the write key, and paste it into the Write key field of your GTM tag (or "
             "the `Authorization: Bearer` header of your own code). Publish the container, then replay this."),
    "signature": ("The webhook signature did not verify",
                  "The shop signed this webhook with another secret than the one this source has. Copy the "
                  "webhook signing secret from the shop's webhook settings into the source's settings, restart "
                  "the gateway, then replay this. A request that did not come from the shop should stay refused."),
    "payload": ("The request could not be read",
                "The body is not what this source's platform sends (each field below says what was expected). "
                "If your own code sent it, correct what it sends; if the shop sent it, the gateway may need an "
                "update for a new format: keep this rejection and replay it once the gateway is updated."),
    "schema": ("The event does not match the canonical event",
               "The event lacks a field its name requires, or a value has the wrong type: each field below says "
               "what was expected (a Purchase needs its order id, value and currency). Fix the variable or the "
               "dataLayer push that fills that field in your tag, or in the code that sends the event, then "
               "replay this."),
    "too_large": ("Too large",
                  "The request is larger than the gateway takes (512 KB a request and 32 KB an event, unless "
                  "`[limits]` in `tagway.toml` says otherwise). Send fewer events at once or fewer and shorter "
                  "properties; replaying sends the same size again."),
    "content_type": ("Not sent as JSON",
                     "The body was not sent as JSON. Send it with the header `Content-Type: application/json` "
                     "(browsers' beacons may use `text/plain`), then replay this."),
    "not_found": ("No such source",
                  "The address names a source this gateway does not have: a typo in the webhook URL, or a source "
                  "that was removed. Copy the webhook URL from the Sources page into the shop's settings again. "
                  "To keep this input, replay it into one of your sources."),
    "method": ("Wrong HTTP method",
               "The address was called with a method it does not take (webhooks and the events API take POST, "
               "the GTM pixel GET). Check the address and the method in the sender's settings."),
    "malformed": ("Not well-formed HTTP",
                  "The request broke HTTP's rules (bad bytes in a header, a request line or headers too long). "
                  "That comes from the program or proxy that sent it, not from a setting here."),
    "adapter_error": ("The gateway failed on this input",
                      "This is a fault in the gateway, not in what was sent: it is logged. The input is kept; "
                      "replay it once the gateway is updated."),
    "internal_error": ("The gateway failed on this input",
                       "This is a fault in the gateway, not in what was sent: it is logged. The input is kept; "
                       "replay it once the gateway is fixed."),
    "rate_limited": ("Too many requests",
                     "The sender sent more than the rate limit allows; it was told to send again later. Raise "
                     "`[limits]` in `tagway.toml` if this traffic is expected."),
}


def rejection_title(reason: str) -> str:
    """A rejection reason in a few words (the reason itself when it is not one we know)."""
    return REJECTION_HELP.get(reason, (reason, ""))[0]


def how_to_fix(reason: str) -> str:
    """What to do about a rejection of this reason, in plain words (empty when it is not one we know)."""
    return REJECTION_HELP.get(reason, ("", ""))[1]
