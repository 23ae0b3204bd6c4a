"""The live list: the newest rows, then what is new since a cursor, filtered by source, name and user."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

from app.console.present import Scrubber, arrival_order, event_item, refused_event, rejection_item, user_ids
from app.console.queries import (
    EventRow,
    RejectionRow,
    events_after,
    latest_events,
    latest_ids,
    latest_rejections,
    rejections_after,
)
from app.storage import SqlStorage

_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")
BACKLOG_ROWS = 50
POLL_ROWS = 200
# A row can commit after a row with a higher number (PostgreSQL hands out numbers before commit):
# a number skipped over is looked for again for this long before it is given up.
LATE_ROW_SECONDS = 5.0


@dataclass(frozen=True)
class LiveFilters:
    """What the person asked to see; empty means everything."""

    source: str | None = None
    name: str | None = None
    user: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> LiveFilters:
        """The filters of a query string (blank values are no filter)."""
        def value(key: str) -> str | None:
            text = (args.get(key) or "").strip()
            return text[:200] or None
        return cls(value("source"), value("name"), value("user"))

    def within(self, source: str | None) -> LiveFilters:
        """These filters kept to one source (a viewer link's), or as they are when `source` is None."""
        return self if source is None else replace(self, source=source)

    def keeps_name(self, name: str) -> bool:
        """Whether an event name matches, in any case (a person types `purchase` for `Purchase`)."""
        return self.name is None or name.lower() == self.name.lower()

    def keeps_event(self, row: EventRow) -> bool:
        """Whether an event matches."""
        return ((self.source is None or row.source_id == self.source)
                and self.keeps_name(row.name)
                and (self.user is None or self.user in row.user_ids))

    def keeps_rejection(self, row: RejectionRow) -> bool:
        """Whether a rejection matches; a name or user filter needs the refused event to carry them."""
        if self.source is not None and row.source_id != self.source:
            return False
        if self.name is None and self.user is None:
            return True
        refused = refused_event(row.event_body)
        if refused is None:
            return False
        name = refused.get("name")
        return ((self.name is None or (isinstance(name, str) and self.keeps_name(name)))
                and (self.user is None or self.user in user_ids(refused)))


@dataclass(frozen=True)
class LiveCursor:
    """The last event seq and rejection id a live view has seen; sent as the SSE id, e.g. `120-7`."""

    seq: int
    rejection_id: int

    def __str__(self) -> str:
        return f"{self.seq}-{self.rejection_id}"

    @classmethod
    def parse(cls, text: str | None) -> LiveCursor | None:
        """A cursor from Last-Event-ID or ?after=, or None when absent or malformed."""
        found = _CURSOR.match((text or "").strip())
        return cls(int(found[1]), int(found[2])) if found else None


def newest(storage: SqlStorage) -> LiveCursor:
    """The cursor of what is stored now: a live view that starts here shows only what comes next."""
    return LiveCursor(*latest_ids(storage))


def backlog(storage: SqlStorage, filters: LiveFilters, scrub: Scrubber) -> list[dict[str, Any]]:
    """The newest matching events and rejections, newest first."""
    events = latest_events(storage, filters.source, filters.name, filters.user, BACKLOG_ROWS)
    items = [event_item(row, scrub) for row in events]
    refused = latest_rejections(storage, filters.source, POLL_ROWS)
    items += [rejection_item(row, scrub) for row in refused if filters.keeps_rejection(row)][:BACKLOG_ROWS]
    items.sort(key=arrival_order, reverse=True)
    return items[:BACKLOG_ROWS]


@dataclass
class LiveFeed:
    """What is new since the cursor, for one open stream; remembers skipped numbers for a while."""

    storage: SqlStorage
    filters: LiveFilters
    scrub: Scrubber
    cursor: LiveCursor
    late_events: dict[int, float] = field(default_factory=dict)
    late_rejections: dict[int, float] = field(default_factory=dict)

    def poll(self) -> list[dict[str, Any]]:
        """Matching rows that arrived since the last poll, oldest first; advances the cursor."""
        now = time.monotonic()
        for late in (self.late_events, self.late_rejections):
            for number in [n for n, deadline in late.items() if deadline < now]:
                del late[number]
        events = events_after(self.storage, self.cursor.seq, list(self.late_events), POLL_ROWS)
        rejections = rejections_after(self.storage, self.cursor.rejection_id, list(self.late_rejections), POLL_ROWS)
        seq = self._advance([row.seq for row in events], self.cursor.seq, self.late_events, now)
        rejection_id = self._advance([row.id for row in rejections], self.cursor.rejection_id,
                                     self.late_rejections, now)
        self.cursor = LiveCursor(seq, rejection_id)
        items = [event_item(row, self.scrub) for row in events if self.filters.keeps_event(row)]
        items += [rejection_item(row, self.scrub) for row in rejections if self.filters.keeps_rejection(row)]
        items.sort(key=arrival_order)
        return items

    @staticmethod
    def _advance(found: list[int], last: int, late: dict[int, float], now: float) -> int:
        """The new high mark; numbers skipped below it are watched for a while (at most one poll's worth)."""
        seen = set(found)
        for number in seen:
            late.pop(number, None)
        high = max(seen | {last})
        if high > last:
            late.update((number, now + LATE_ROW_SECONDS) for number in range(max(last, high - POLL_ROWS) + 1, high)
                        if number not in seen)
        return high
