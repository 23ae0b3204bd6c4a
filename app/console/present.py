"""How stored things are shown: secrets scrubbed, bodies as text, rows as one line a person can read."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from app.console.queries import EventRow, RejectionRow
from app.console.summary import one_line
from app.ingest.request import CREDENTIAL_PARAMS, MASK
from app.logs import SecretScrubber
from app.problems import rejection_title

_SUMMARY_CHARACTERS = 160


class Scrubber:
    """Removes every configured secret (write keys, webhook secrets, the admin token) from text shown."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._scrubber = SecretScrubber(secrets)

    def text(self, value: str) -> str:
        """The text with each secret replaced by [redacted]."""
        return self._scrubber.scrub(value)

    def json(self, value: Any) -> str:
        """Indented JSON, secrets replaced."""
        return self.text(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode())


@dataclass(frozen=True)
class ShownBody:
    """A kept body as text: pretty JSON when it is JSON, the text when UTF-8, else base64."""

    text: str
    encoding: str
    size: int
    kept: int

    @property
    def truncated(self) -> bool:
        """Whether only the beginning was kept."""
        return self.kept < self.size


def show_body(body: bytes, size: int, scrub: Scrubber) -> ShownBody:
    """The body as a person can read it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ShownBody(base64.b64encode(body).decode(), "base64", size, len(body))
    try:
        return ShownBody(scrub.json(orjson.loads(body)), "json", size, len(body))
    except orjson.JSONDecodeError:
        return ShownBody(scrub.text(text), "text", size, len(body))


def show_query(query: str, scrub: Scrubber) -> list[tuple[str, str]]:
    """The kept query string as pairs; credentials were masked when kept, and are masked again here."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return [(scrub.text(name), MASK if name.lower() in CREDENTIAL_PARAMS else scrub.text(value))
            for name, value in pairs]


def show_input(kept: dict[str, Any] | None, scrub: Scrubber) -> dict[str, Any] | None:
    """The raw input (the request as kept) ready for a template."""
    if kept is None:
        return None
    return {"id": kept["id"], "receivedAt": kept["receivedAt"], "method": kept["method"],
            "path": scrub.text(kept["path"]), "endpoint": kept["endpoint"], "remoteAddr": kept["remoteAddr"],
            "query": show_query(kept["query"], scrub),
            "headers": sorted((name, scrub.text(str(value))) for name, value in kept["headers"].items()),
            "body": show_body(kept["body"], kept["bodySize"], scrub)}


def refused_event(event_body: bytes | None) -> dict[str, Any] | None:
    """The event a schema rejection refused, when it was a JSON object."""
    if event_body is None:
        return None
    try:
        value = orjson.loads(event_body)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def user_ids(event: dict[str, Any] | None) -> tuple[str, ...]:
    """The identifiers of the event's user, in the order a person recognises them."""
    user = (event or {}).get("user")
    if not isinstance(user, dict):
        return ()
    return tuple(str(user[key]) for key in ("memberId", "email", "anonymousId") if user.get(key))


def _clip(text: str) -> str:
    return text if len(text) <= _SUMMARY_CHARACTERS else text[:_SUMMARY_CHARACTERS - 1] + "…"


def event_summary(event: dict[str, Any]) -> str:
    """What the event is about, in one line: the page, the order and its value, or the properties."""
    parts = one_line(event)
    page = event.get("page") or {}
    if page.get("canonicalUrl") or page.get("url"):
        parts.append(str(page.get("canonicalUrl") or page.get("url")))
    if not parts and event.get("properties"):
        parts.append(orjson.dumps(event["properties"]).decode())
    return _clip(" · ".join(parts))


def arrival_order(item: dict[str, Any]) -> tuple[str, int, int]:
    """Sort key of live rows: the time, then the input (one numbering for events and rejections alike)."""
    return item["time"], item["input"] or 0, item.get("seq") or item.get("id") or 0


def event_item(row: EventRow, scrub: Scrubber) -> dict[str, Any]:
    """An event as a row of the live list."""
    return {"kind": "event", "key": f"e{row.seq}", "seq": row.seq, "input": row.input_id, "name": row.name,
            "source": row.source_id, "time": row.received_at, "user": scrub.text(", ".join(user_ids(row.event))),
            "summary": scrub.text(event_summary(row.event)), "href": f"/console/events/{row.seq}"}


def rejection_item(row: RejectionRow, scrub: Scrubber) -> dict[str, Any]:
    """A rejection as a row of the live list: the reason and its first problem."""
    refused = refused_event(row.event_body) or {}
    first = row.problems[0] if row.problems else {}
    problem = f"{first.get('field', '')}: expected {first.get('expectation', '')}" if first else ""
    name = refused.get("name")
    return {"kind": "rejection", "key": f"r{row.id}", "id": row.id, "input": row.input_id,
            "name": name if isinstance(name, str) else None, "source": row.source_id, "time": row.received_at,
            "reason": row.reason, "reasonText": rejection_title(row.reason), "status": row.status,
            "user": scrub.text(", ".join(user_ids(refused))), "summary": scrub.text(_clip(problem)),
            "href": f"/console/rejections/{row.id}"}
