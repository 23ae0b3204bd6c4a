"""The journey before a chat, added to the `UserChatOpen` a destination with `include_journey` delivers.

The journey comes from the people projection, which runs beside the deliveries: a chat not yet projected
waits (its row goes back to pending, the try not counted) for up to `WAIT`, then goes without a journey,
which its delivery's note says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.base import Event
from adapters.times import parse_time
from app.projections.base import Database
from app.projections.people.queries import CHAT_EVENT, People
from app.storage.base import SqlStorage
from app.storage.outbox import Claimed

WAIT = timedelta(minutes=2)
"""How long a chat waits for the projection before it is delivered without its journey."""
RETRY = timedelta(seconds=1)


@dataclass(frozen=True)
class Prepared:
    """A row ready to deliver (the event, with its journey when found) or one to try again shortly."""

    row: Claimed
    event: Event | None
    note: str | None = None


class Journeys:
    """Finds the journey of each chat of a batch."""

    def __init__(self, storage: SqlStorage, projection: str = "people") -> None:
        self.storage = storage
        self.people = People(storage)
        self.projection = projection

    def prepare(self, rows: list[Claimed], now: datetime) -> list[Prepared]:
        """Each row's event as it is to be sent, or None for a chat whose journey is not projected yet."""
        position = self._position() if any(row.event.get("name") == CHAT_EVENT for row in rows) else 0
        prepared = []
        for row in rows:
            if row.event.get("name") != CHAT_EVENT:
                prepared.append(Prepared(row, row.event))
                continue
            if position < row.event_seq:
                if now - parse_time(row.created_at) < WAIT:
                    prepared.append(Prepared(row, None))
                    continue
                prepared.append(Prepared(row, row.event, "sent without its journey: people were not projected yet"))
                continue
            journey = self._journey(row.event_seq)
            prepared.append(Prepared(row, {**row.event, "journey": journey} if journey else row.event))
        return prepared

    def _journey(self, event_seq: int) -> dict[str, Any] | None:
        person = self.people.person_of_event(event_seq)
        return None if person is None else self.people.journey(person, event_seq)

    def _position(self) -> int:
        with self.storage.transaction() as connection:
            row = Database(self.storage, connection).one(
                "SELECT position FROM projection_cursors WHERE name = ?", (self.projection,))
        return int(row[0]) if row else 0


def retry_at(now: datetime) -> datetime:
    """When a chat waiting for its journey is tried again."""
    return now + RETRY
