"""What a storage holds, read through its public listing of events (newest first, paged by sequence number)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.storage import SqlStorage
from app.storage.records import EventQuery

PAGE_SIZE = 500


def _stored_events(storage: SqlStorage, source_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every stored event (of one source, when given), page after page."""
    before: int | None = None
    while True:
        page = storage.list_events(EventQuery(source=source_id, before=before, limit=PAGE_SIZE))
        yield from page
        if len(page) < PAGE_SIZE:
            return
        before = page[-1]["seq"]


def count_stored_events(storage: SqlStorage) -> int:
    """How many events are stored."""
    return sum(1 for _ in _stored_events(storage))


def stored_event_ids(storage: SqlStorage, source_id: str) -> set[str]:
    """The ids of every event stored for a source."""
    return {row["event"]["id"] for row in _stored_events(storage, source_id)}
