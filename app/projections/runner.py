"""Runs projections: batches of events past each cursor, applied in the transaction that moves the cursor.

On PostgreSQL each batch first takes a transaction-level advisory lock named after the projection, so
that one consumer at a time applies it across every worker and machine; the lock goes with the
transaction, so when a worker dies mid-batch its batch is rolled back and the next worker's round takes
over from the same cursor. On SQLite the write lock does the same. In both, the cursor only moves from
the position the batch was read at (a compare-and-set), so a batch is never applied twice.

A projection that `follows_witnesses` has a second cursor on the witnesses table (`<name>:witnesses`), moved
in the same transaction by the same rules (commit order, horizon); a witness is applied only once its event
is, so a projection sees each order event before the later accounts of it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson

from adapters.times import format_time, parse_time
from app.projections.base import Database, Projection, StoredEvent, StoredWitness
from app.projections.horizon import CommitHorizon
from app.storage.base import SqlStorage
from app.storage.records import StorageUnavailable

log = logging.getLogger("tagway.projections")
DEFAULT_BATCH_SIZE = 1000
FAILURE_PAUSE_SECONDS = 30.0
LAG_COUNT_CAP = 10_000_000
"""Lag in events is counted up to this many (a count over a larger backlog would cost more than it says)."""


class CursorMoved(Exception):
    """Another consumer moved the cursor while this batch was applied: the batch is rolled back."""


@dataclass(frozen=True)
class Lag:
    """How far a projection is behind the stored events."""

    name: str
    position: int
    events: int
    seconds: float


def lock_key(name: str) -> int:
    """The advisory lock id of a projection: a stable signed 64-bit number from its name."""
    return int.from_bytes(hashlib.sha256(f"tagway.projection.{name}".encode()).digest()[:8], "big", signed=True)


class ProjectionRunner:
    """Moves every projection forward, batch by batch; any number of runners may share one database."""

    def __init__(self, storage: SqlStorage, projections: Sequence[Projection], clock: Callable[[], datetime],
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.storage = storage
        self.projections = {p.name: p for p in projections}
        self.clock = clock
        self.batch_size = batch_size
        self._horizons = {p.name: CommitHorizon() for p in projections}
        self._witness_horizons = {p.name: CommitHorizon("witnesses") for p in projections if p.follows_witnesses}

    def run_round(self, halt: threading.Event) -> int:
        """One batch of each projection; how many events were applied (0: all caught up or another holds them).

        A projection that fails on a batch is logged and tried again after a pause; it never stops the worker
        around it (deliveries go on), and its lag on /metrics shows that it is stuck.
        """
        applied = 0
        for name in self.projections:
            if halt.is_set():
                break
            try:
                applied += self.step(name)
            except StorageUnavailable:
                raise  # the worker's loop waits for the database
            except Exception:
                log.exception("a projection failed on its next batch; trying again shortly",
                              extra={"projection": name, "pause_seconds": FAILURE_PAUSE_SECONDS})
                halt.wait(FAILURE_PAUSE_SECONDS)
        return applied

    def step(self, name: str) -> int:
        """Apply the next batch of one projection (and of the witnesses it follows); how many rows it held."""
        projection = self.projections[name]
        if not self._behind(name):
            return 0  # nothing new: no write lock taken while idle
        with self.storage.transaction(write=True) as connection:
            db = Database(self.storage, connection)
            if db.postgres and not _locked(db, name):
                return 0  # another worker is applying this projection now
            horizon = self._horizons[name].current(db)
            position = _position(db, name)
            events: list[StoredEvent] = []
            if horizon > position:
                rows = db.all("SELECT seq, body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                              (position, horizon, self.batch_size))
                events = [StoredEvent(int(seq), orjson.loads(body)) for seq, body in rows]
                if events:
                    projection.apply(db, events)
                # A short batch read everything up to the horizon: the seqs between are gaps that stay empty.
                new_position = events[-1].seq if len(events) == self.batch_size else horizon
                _move(db, name, position, new_position, self.clock())
                position = new_position
            witnessed = self._witnesses_step(db, projection, position) if projection.follows_witnesses else 0
        return len(events) + witnessed

    def _witnesses_step(self, db: Database, projection: Projection, applied_up_to: int) -> int:
        """Apply the next witnesses whose events are applied (up to the seq `applied_up_to`); how many."""
        name = _witnesses_cursor(projection.name)
        horizon = self._witness_horizons[projection.name].current(db)
        position = _position(db, name)
        if horizon <= position:
            return 0
        rows = db.all("SELECT seq, event_seq, source_id, kind, body FROM witnesses WHERE seq > ? AND seq <= ? "
                      "ORDER BY seq LIMIT ?", (position, horizon, self.batch_size))
        witnesses = [StoredWitness(int(seq), int(event_seq), source_id, kind, orjson.loads(body))
                     for seq, event_seq, source_id, kind, body in rows]
        # A witness of an event past the events' cursor waits for it (in order: the cursor stops before it).
        ready = []
        for witness in witnesses:
            if witness.event_seq > applied_up_to:
                break
            ready.append(witness)
        if ready:
            projection.apply_witnesses(db, ready)
        if len(ready) < len(witnesses):
            new_position = ready[-1].seq if ready else position
        else:
            new_position = witnesses[-1].seq if len(witnesses) == self.batch_size else horizon
        if new_position != position:
            _move(db, name, position, new_position, self.clock())
        return len(ready)

    def _behind(self, name: str) -> bool:
        """Whether events (or witnesses it follows) past the cursor are stored (read without the write lock)."""
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            row = db.one("SELECT coalesce((SELECT position FROM projection_cursors WHERE name = ?), 0) "
                         "< coalesce((SELECT max(seq) FROM events), 0)", (name,))
            if not (row and row[0]) and self.projections[name].follows_witnesses:
                row = db.one("SELECT coalesce((SELECT position FROM projection_cursors WHERE name = ?), 0) "
                             "< coalesce((SELECT max(seq) FROM witnesses), 0)", (_witnesses_cursor(name),))
        return bool(row and row[0])

    def catch_up(self, name: str, target: int, progress: Callable[[int], None] | None = None,
                 stop: threading.Event | None = None) -> int:
        """Apply batches until the cursor reaches `target` (a seq); how many events this process applied."""
        stop = stop or threading.Event()
        total = 0
        witness_target = self.newest_witness_seq() if self.projections[name].follows_witnesses else 0
        while not stop.is_set() and (self.position(name) < target
                                     or self.position(_witnesses_cursor(name)) < witness_target):
            done = self.step(name)
            total += done
            if progress is not None and done:
                progress(done)
            if not done:
                time.sleep(0.05)  # the horizon is not there yet, or another worker holds the batch
        return total

    def reset(self, name: str) -> None:
        """Empty a projection's tables and put its cursor before the first event (a rebuild starts here)."""
        projection = self.projections[name]
        with self.storage.transaction(write=True) as connection:
            db = Database(self.storage, connection)
            if db.postgres:
                db.one("SELECT pg_advisory_xact_lock(?)", (lock_key(name),))  # waits for a batch in flight
            _position(db, name)
            for table in projection.tables:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (the projection's own table names)
            db.execute("UPDATE projection_cursors SET position = 0, updated_at = ? WHERE name IN (?, ?)",
                       (format_time(self.clock()), name, _witnesses_cursor(name)))
        self._horizons[name] = CommitHorizon()
        if projection.follows_witnesses:
            self._witness_horizons[name] = CommitHorizon("witnesses")

    def position(self, name: str) -> int:
        """The projection's cursor: every event up to this seq is applied."""
        with self.storage.transaction() as connection:
            row = Database(self.storage, connection).one(
                "SELECT position FROM projection_cursors WHERE name = ?", (name,))
        return int(row[0]) if row else 0

    def newest_seq(self) -> int:
        """The largest seq stored now."""
        with self.storage.transaction() as connection:
            row = Database(self.storage, connection).one("SELECT coalesce(max(seq), 0) FROM events")
        return int(row[0]) if row else 0

    def newest_witness_seq(self) -> int:
        """The largest witness seq stored now."""
        with self.storage.transaction() as connection:
            row = Database(self.storage, connection).one("SELECT coalesce(max(seq), 0) FROM witnesses")
        return int(row[0]) if row else 0

    def lags(self) -> list[Lag]:
        """Each projection's lag: events past its cursor, and the age of the oldest of them."""
        now = self.clock()
        lags = []
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            for name in self.projections:
                row = db.one("SELECT position FROM projection_cursors WHERE name = ?", (name,))
                position = int(row[0]) if row else 0
                count = db.one("SELECT count(*) FROM (SELECT 1 FROM events WHERE seq > ? LIMIT ?) behind",
                               (position, LAG_COUNT_CAP))
                oldest = db.one("SELECT received_at FROM events WHERE seq > ? ORDER BY seq LIMIT 1", (position,))
                seconds = max((now - parse_time(oldest[0])).total_seconds(), 0.0) if oldest else 0.0
                lags.append(Lag(name, position, int(count[0]) if count else 0, seconds))
        return lags


def _locked(db: Database, name: str) -> bool:
    """Take the projection's advisory lock for this transaction if no other holds it (PostgreSQL)."""
    row = db.one("SELECT pg_try_advisory_xact_lock(?)", (lock_key(name),))
    return bool(row and row[0])


def _witnesses_cursor(name: str) -> str:
    """The name of the cursor a projection keeps on the witnesses table."""
    return f"{name}:witnesses"


def _move(db: Database, name: str, position: int, new_position: int, now: datetime) -> None:
    """Move a cursor from the position the batch was read at, or roll the batch back (another consumer moved it)."""
    moved = db.execute("UPDATE projection_cursors SET position = ?, updated_at = ? WHERE name = ? AND position = ?",
                       (new_position, format_time(now), name, position)).rowcount
    if moved != 1:
        raise CursorMoved(name)


def _position(db: Database, name: str) -> int:
    """The cursor of a projection, its row made on first use."""
    db.execute("INSERT INTO projection_cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
               (name,))
    row = db.one("SELECT position FROM projection_cursors WHERE name = ?", (name,))
    assert row is not None
    return int(row[0])
