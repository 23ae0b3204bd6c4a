"""Storage reads the console needs beyond the storage's own methods, in plain SQL for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from adapters.times import format_time
from app.storage import SqlStorage

# Statements are assembled from constant column lists; every value is a parameter.
_EVENT_COLUMNS = "seq, input_id, source_id, name, anonymous_id, member_id, email, received_at, body"
_REJECTION_COLUMNS = "id, input_id, received_at, source_id, reason, status, problems, event_body"
# Replayed events keep their original arrival time and concurrent commits interleave by milliseconds,
# so the seq where a time window starts is looked for a little before the window.
_WINDOW_MARGIN = timedelta(minutes=10)
_PROBE_ROWS = 64


@dataclass(frozen=True)
class EventRow:
    """One stored event with the columns the console filters on."""

    seq: int
    input_id: int | None
    source_id: str
    name: str
    user_ids: tuple[str, ...]
    received_at: str
    event: dict[str, Any]


@dataclass(frozen=True)
class RejectionRow:
    """One kept rejection as listed (without its input)."""

    id: int
    input_id: int | None
    received_at: str
    source_id: str | None
    reason: str
    status: int
    problems: list[dict[str, Any]]
    event_body: bytes | None


@dataclass(frozen=True)
class SourceActivity:
    """What arrived for one source: accepted events and rejections in the last hour and day, the last event."""

    last_event_at: str | None = None
    events_hour: int = 0
    events_day: int = 0
    rejected_hour: int = 0
    rejected_day: int = 0


def _event_row(row: Sequence[Any]) -> EventRow:
    seq, input_id, source_id, name, anonymous_id, member_id, email, received_at, body = row
    ids = tuple(value for value in (anonymous_id, member_id, email) if value)
    return EventRow(int(seq), input_id, source_id, name, ids, received_at, orjson.loads(body))


def _rejection_row(row: Sequence[Any]) -> RejectionRow:
    rejection_id, input_id, received_at, source_id, reason, status, problems, event_body = row
    return RejectionRow(int(rejection_id), input_id, received_at, source_id, reason, int(status),
                        orjson.loads(problems), None if event_body is None else bytes(event_body))


def _marks(values: Sequence[int]) -> str:
    return ", ".join("?" * len(values))


def events_after(storage: SqlStorage, seq: int, also: Sequence[int] = (), limit: int = 200) -> list[EventRow]:
    """The newest `limit` events with seq > `seq` (and those in `also`), newest first."""
    where = "seq > ?" + (f" OR seq IN ({_marks(also)})" if also else "")
    statement = f"SELECT {_EVENT_COLUMNS} FROM events WHERE {where} ORDER BY seq DESC LIMIT ?"  # noqa: S608
    with storage.transaction() as connection:
        rows = connection.execute(storage.sql(statement), (seq, *also, limit)).fetchall()
    return [_event_row(row) for row in rows]


def rejections_after(storage: SqlStorage, rejection_id: int, also: Sequence[int] = (),
                     limit: int = 200) -> list[RejectionRow]:
    """The newest `limit` rejections with id > `rejection_id` (and those in `also`), newest first."""
    where = "id > ?" + (f" OR id IN ({_marks(also)})" if also else "")
    statement = f"SELECT {_REJECTION_COLUMNS} FROM rejections WHERE {where} ORDER BY id DESC LIMIT ?"  # noqa: S608
    with storage.transaction() as connection:
        rows = connection.execute(storage.sql(statement), (rejection_id, *also, limit)).fetchall()
    return [_rejection_row(row) for row in rows]


def latest_events(storage: SqlStorage, source: str | None, name: str | None, user: str | None,
                  limit: int) -> list[EventRow]:
    """The newest events, filtered by source, name (in any case: `purchase` finds `Purchase`) and user."""
    clauses, params = [], []
    if source is not None:
        clauses.append("source_id = ?")
        params.append(source)
    if name is not None:
        # Event names are ASCII (letters, digits, underscore), which lower() folds alike on both engines.
        clauses.append("lower(name) = lower(?)")
        params.append(name)
    if user is not None:
        clauses.append("(anonymous_id = ? OR member_id = ? OR email = ?)")
        params.extend([user] * 3)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    statement = f"SELECT {_EVENT_COLUMNS} FROM events {where} ORDER BY seq DESC LIMIT ?"  # noqa: S608
    with storage.transaction() as connection:
        rows = connection.execute(storage.sql(statement), (*params, limit)).fetchall()
    return [_event_row(row) for row in rows]


def latest_rejections(storage: SqlStorage, source: str | None, limit: int) -> list[RejectionRow]:
    """The newest rejections, of one source or of all."""
    where, params = ("WHERE source_id = ?", (source,)) if source is not None else ("", ())
    statement = f"SELECT {_REJECTION_COLUMNS} FROM rejections {where} ORDER BY id DESC LIMIT ?"  # noqa: S608
    with storage.transaction() as connection:
        rows = connection.execute(storage.sql(statement), (*params, limit)).fetchall()
    return [_rejection_row(row) for row in rows]


def latest_ids(storage: SqlStorage) -> tuple[int, int]:
    """The highest event seq and rejection id stored (0 when none): where a live view starts."""
    with storage.transaction() as connection:
        seq = connection.execute("SELECT max(seq) FROM events").fetchone()[0]
        rejection_id = connection.execute("SELECT max(id) FROM rejections").fetchone()[0]
    return int(seq or 0), int(rejection_id or 0)


def event_by_seq(storage: SqlStorage, seq: int) -> EventRow | None:
    """One stored event, or None."""
    statement = f"SELECT {_EVENT_COLUMNS} FROM events WHERE seq = ?"  # noqa: S608
    with storage.transaction() as connection:
        row = connection.execute(storage.sql(statement), (seq,)).fetchone()
    return None if row is None else _event_row(row)


def source_activity(storage: SqlStorage, now: datetime, source_ids: Iterable[str]) -> dict[str, SourceActivity]:
    """Accepted events and rejections per source in the last hour and day, and each source's last event time."""
    hour, day = format_time(now - timedelta(hours=1)), format_time(now - timedelta(days=1))
    found: dict[str, dict[str, Any]] = {}
    with storage.transaction() as connection:
        first = _first_seq_since(storage, connection, format_time(now - timedelta(days=1) - _WINDOW_MARGIN))
        for source_id, day_count, hour_count, last in connection.execute(storage.sql(
                "SELECT source_id, count(*), sum(CASE WHEN received_at >= ? THEN 1 ELSE 0 END), max(received_at) "
                "FROM events WHERE seq >= ? AND received_at >= ? GROUP BY source_id"), (hour, first, day)):
            found.setdefault(source_id, {}).update(events_day=int(day_count), events_hour=int(hour_count or 0),
                                                   last_event_at=last)
        for source_id, day_count, hour_count in connection.execute(storage.sql(
                "SELECT source_id, count(*), sum(CASE WHEN received_at >= ? THEN 1 ELSE 0 END) "
                "FROM rejections WHERE received_at >= ? AND source_id IS NOT NULL GROUP BY source_id"), (hour, day)):
            found.setdefault(source_id, {}).update(rejected_day=int(day_count), rejected_hour=int(hour_count or 0))
        for source_id in source_ids:
            if found.get(source_id, {}).get("last_event_at") is None:
                # The (source_id, event_id) unique index finds a quiet source's newest event without a scan.
                row = connection.execute(storage.sql(
                    "SELECT received_at FROM events WHERE seq = (SELECT max(seq) FROM events WHERE source_id = ?)"),
                    (source_id,)).fetchone()
                if row is not None:
                    found.setdefault(source_id, {})["last_event_at"] = row[0]
    return {source_id: SourceActivity(**values) for source_id, values in found.items()}


def _first_seq_since(storage: SqlStorage, connection: Any, since: str) -> int:
    """The first seq received at or after `since`, by bisection over seq: the events table has no time index.

    Each probe looks at a run of rows, so one replayed event (which keeps its old time) cannot mislead it.
    """
    low, high = (int(value or 0) for value in connection.execute("SELECT min(seq), max(seq) FROM events").fetchone())
    high += 1
    probe = storage.sql("SELECT max(received_at) FROM (SELECT received_at FROM events WHERE seq >= ? "
                        "ORDER BY seq LIMIT ?) AS run")
    while low < high:
        middle = (low + high) // 2
        newest = connection.execute(probe, (middle, _PROBE_ROWS)).fetchone()[0]
        if newest is not None and newest < since:
            low = middle + 1
        else:
            high = middle
    return low
