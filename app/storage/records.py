"""What the gateway writes and reads: plain records, independent of the database engine.

The records made for every input are slotted dataclasses rather than frozen ones: nothing
mutates them, and a frozen dataclass's __init__ costs a microsecond more per instance on the
ingestion path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from adapters.base import Event


class StorageUnavailable(Exception):
    """The database cannot be reached or is busy beyond the timeout: answer 503, the client retries."""


@dataclass(slots=True)
class InputRecord:
    """The raw request as received (credentials removed, body capped)."""

    received_at: str
    endpoint: str
    method: str
    path: str
    body: bytes
    body_size: int
    source_id: str | None = None
    adapter: str | None = None
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    remote_addr: str | None = None


@dataclass(slots=True)
class EventRecord:
    """A validated canonical event and its JSON encoding."""

    event: Event
    encoded: bytes
    witness_kind: str | None = None
    """For an order event of a site, how its witness arrived (webhook, server, browser): app/storage/witnesses.py."""

    def row(self, input_id: int | None) -> tuple[Any, ...]:
        """The values of the events table's columns."""
        event = self.event
        user = event.get("user") or {}
        return (event["source"]["id"], event["id"], event["name"], event["occurredAt"],
                event["receivedAt"], user.get("anonymousId"), user.get("memberId"), user.get("email"),
                input_id, self.encoded.decode())


@dataclass(frozen=True)
class RejectionRecord:
    """Why an input (or one event of it) was refused."""

    received_at: str
    endpoint: str
    status: int
    reason: str
    problems: list[dict[str, Any]]
    source_id: str | None = None
    adapter: str | None = None
    event_index: int | None = None
    event_body: bytes | None = None

    def row(self) -> tuple[Any, ...]:
        """Its column values in table order, without the input id (known once the input is written)."""
        return (self.received_at, self.source_id, self.adapter, self.endpoint, self.status, self.reason,
                orjson.dumps(self.problems).decode(), self.event_index, self.event_body)


@dataclass(slots=True)
class StoreResult:
    """Which events of a write were new (by index in the write) and the ids of the rows."""

    input_id: int | None  # None when the input was not kept
    stored: frozenset[int]
    rejection_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class EventQuery:
    """Filters of the stored-events listing."""

    source: str | None = None
    name: str | None = None
    user: str | None = None
    event_id: str | None = None
    since: str | None = None
    until: str | None = None
    before: int | None = None
    limit: int = 50


@dataclass(frozen=True)
class RejectionQuery:
    """Filters of the rejections listing."""

    source: str | None = None
    reason: str | None = None
    since: str | None = None
    until: str | None = None
    before: int | None = None
    limit: int = 50
