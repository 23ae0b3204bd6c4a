"""Retention: rows older than their configured age are deleted in bounded batches, each its own transaction.

A batch selects at most `batch_size` ids and deletes them, so that no purge holds SQLite's write lock
(or a PostgreSQL transaction) for long; batches follow each other until none is left over age. On
PostgreSQL the ids are taken FOR UPDATE SKIP LOCKED, so several workers may purge at once without
waiting for each other or deleting a row twice.

What is never deleted: an outbox row that is pending or in flight, and an event any outbox row still
refers to (a delivery must still read its event; delivered rows and dead letters go first, at their
own retention, and the event after them). A kept input goes at its own age: the events and
rejections that came of it then lose their raw request (such a rejection can no longer be replayed).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.times import format_time
from app.config.model import RetentionSettings
from app.storage.base import SqlStorage

KINDS = ("delivered", "dead", "rejections", "events", "sessions", "people", "inputs")
"""In the order they are purged: an event's deliveries go before it, rejections before their input; the
people projection's sessions and people once none of their events is left."""
_FOLLOW_EVENTS = ("sessions", "people")
"""Kinds kept as long as events are (they have no retention of their own)."""


def retention_days(settings: RetentionSettings, kind: str) -> int:
    """The days a kind of row is kept (0: forever)."""
    return int(getattr(settings, "events_days" if kind in _FOLLOW_EVENTS else f"{kind}_days"))
BATCH_PAUSE_SECONDS = 0.01  # between batches, so that writers queued on the lock get it before the next one


@dataclass(frozen=True)
class PurgeCount:
    """What a purge did to one kind of row."""

    deleted: int = 0
    rounds: int = 0
    """Batches run (each one statement selecting at most batch_size rows, and its own transaction)."""


@dataclass(frozen=True)
class _Kind:
    """How to purge one kind: the rows over age (a SELECT of ids), what goes before them, and their delete."""

    select: str
    params: tuple[Any, ...]
    delete: str
    before: tuple[str, ...] = ()
    before_params: tuple[Any, ...] = field(default=())


class Purger:
    """Deletes what is older than the retention allows, kind by kind, in batches."""

    def __init__(self, storage: SqlStorage, settings: RetentionSettings, pause: float = BATCH_PAUSE_SECONDS) -> None:
        self.storage = storage
        self.settings = settings
        self.pause = pause

    def purge(self, now: datetime, stop: threading.Event | None = None) -> dict[str, PurgeCount]:
        """Delete every row over age (until `stop` is set); what went, per kind."""
        stop = stop or threading.Event()
        done: dict[str, PurgeCount] = {}
        for name in KINDS:
            kind = self._kind(name, now)
            done[name] = PurgeCount() if kind is None else self._purge_kind(kind, stop)
        return done

    def count(self, now: datetime) -> dict[str, int]:
        """How many rows of each kind a purge now would delete (deleting nothing)."""
        counts: dict[str, int] = {}
        kinds = {name: self._kind(name, now) for name in KINDS}
        with self.storage.transaction() as connection:
            for name, kind in kinds.items():
                if kind is None:
                    counts[name] = 0
                    continue
                select = kind.select.format(limit="", lock="")
                counts[name] = int(connection.execute(self.storage.sql(f"SELECT count(*) FROM ({select}) over_age"),
                                                      kind.params).fetchone()[0])
        return counts

    def _purge_kind(self, kind: _Kind, stop: threading.Event) -> PurgeCount:
        size, deleted, rounds = self.settings.batch_size, 0, 0
        select = self.storage.sql(kind.select.format(limit=" LIMIT ?", lock=self.storage.skip_locked))
        while True:
            with self.storage.transaction(write=True) as connection:
                ids = [row[0] for row in connection.execute(select, (*kind.params, size)).fetchall()]
                gone = self._delete(connection, kind, ids) if ids else 0
            rounds += 1
            deleted += gone
            # Fewer than a batch: none is left. None deleted of a full batch: only rows another
            # worker took or that stopped being over age meanwhile; the next purge looks again.
            if len(ids) < size or gone == 0 or stop.wait(self.pause):
                return PurgeCount(deleted, rounds)

    def _delete(self, connection: Any, kind: _Kind, ids: Sequence[Any]) -> int:
        marks = ", ".join("?" * len(ids))
        for statement in kind.before:
            # Each statement takes the ids once per {ids} list, then as many of before_params as it has marks left.
            extra = statement.format(ids="").count("?")
            params = (*(list(ids) * statement.count("{ids}")), *kind.before_params[:extra])
            connection.execute(self.storage.sql(statement.format(ids=marks)), params)
        return int(connection.execute(self.storage.sql(kind.delete.format(ids=marks)), ids).rowcount)

    def _kind(self, name: str, now: datetime) -> _Kind | None:
        """The statements of one kind, or None when it is kept forever."""
        days = retention_days(self.settings, name)
        if days == 0:
            return None
        cutoff = _cutoff(now, days)
        if name in ("delivered", "dead"):
            return _Kind(f"SELECT id FROM outbox WHERE status = '{name}' AND updated_at < ? "
                         "ORDER BY updated_at{limit}{lock}", (cutoff,),
                         f"DELETE FROM outbox WHERE id IN ({{ids}}) AND status = '{name}'")
        if name == "rejections":
            return _Kind("SELECT id FROM rejections WHERE received_at < ? ORDER BY received_at{limit}{lock}",
                         (cutoff,), "DELETE FROM rejections WHERE id IN ({ids})")
        if name == "events":
            kept, kept_params = self._kept_delivery(now)
            return _Kind(
                "SELECT seq FROM events WHERE seq < ? AND received_at < ? "
                f"AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.event_seq = events.seq AND ({kept})) "
                "ORDER BY seq{limit}{lock}", (self._first_kept("events", "seq", cutoff), cutoff, *kept_params),
                "DELETE FROM events WHERE seq IN ({ids}) "
                "AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.event_seq = events.seq)",
                # The event's deliveries over their own age go with it; any other row keeps it. Its place on a
                # person's timeline goes too.
                (f"DELETE FROM outbox WHERE event_seq IN ({{ids}}) AND NOT ({kept})",
                 "DELETE FROM person_events WHERE event_seq IN ({ids})"), kept_params)
        if name == "sessions":
            return _Kind("SELECT id FROM sessions WHERE ended_at < ? AND NOT EXISTS "
                         "(SELECT 1 FROM person_events WHERE person_events.session_id = sessions.id) "
                         "ORDER BY id{limit}{lock}", (cutoff,), "DELETE FROM sessions WHERE id IN ({ids})")
        if name == "people":
            return _Kind("SELECT id FROM people WHERE last_seen < ? AND NOT EXISTS "
                         "(SELECT 1 FROM person_events WHERE person_events.person_id = people.id) "
                         "ORDER BY id{limit}{lock}", (cutoff,), "DELETE FROM people WHERE id IN ({ids})",
                         ("DELETE FROM person_ids WHERE person_id IN ({ids})",
                          "DELETE FROM sessions WHERE person_id IN ({ids})",
                          "DELETE FROM identity_conflicts WHERE person_id IN ({ids}) OR other_person_id IN ({ids})"))
        return _Kind(
            "SELECT id FROM inputs WHERE id < ? AND received_at < ? ORDER BY id{limit}{lock}",
            (self._first_kept("inputs", "id", cutoff), cutoff),
            "DELETE FROM inputs WHERE id IN ({ids})",
            ("UPDATE events SET input_id = NULL WHERE input_id IN ({ids})",
             "UPDATE rejections SET input_id = NULL WHERE input_id IN ({ids})"))

    def _first_kept(self, table: str, key: str, cutoff: str) -> int:
        """The key of the oldest row received within the retention (past the last row when there is none).

        Events and inputs have no index on received_at (none on the ingestion path), but their keys
        grow with it: the rows over age are those before this one, so a batch reads from the oldest
        row up to it rather than the whole table. Found once per purge, as it is a walk over the rows
        over age. A row received out of order stays until the rows before it have gone: kept longer,
        never deleted too early.
        """
        with self.storage.transaction() as connection:
            row = connection.execute(self.storage.sql(
                f"SELECT coalesce((SELECT {key} FROM {table} WHERE received_at >= ? ORDER BY {key} LIMIT 1), "
                f"(SELECT max({key}) + 1 FROM {table}), 0)"), (cutoff,)).fetchone()
        return int(row[0])

    def _kept_delivery(self, now: datetime) -> tuple[str, tuple[Any, ...]]:
        """The condition on an outbox row that keeps it (and so its event) through this purge."""
        clauses, params = ["outbox.status IN ('pending', 'inflight')"], []
        for status in ("delivered", "dead"):
            days = getattr(self.settings, f"{status}_days")
            if days == 0:
                clauses.append(f"outbox.status = '{status}'")
            else:
                clauses.append(f"(outbox.status = '{status}' AND outbox.updated_at >= ?)")
                params.append(_cutoff(now, days))
        return " OR ".join(clauses), tuple(params)


def _cutoff(now: datetime, days: int) -> str:
    return format_time(now - timedelta(days=days))
