"""SQLite in WAL mode: the embedded default, one file, nothing else to run."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.process import current_pid
from app.storage.base import INSERT_EVENT, INSERT_INPUT, INSERT_REJECTION, Router, SqlStorage, input_row
from app.storage.outbox import INSERT_OUTBOX, user_key
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StorageUnavailable, StoreResult

# WAL with synchronous=NORMAL survives a killed process (the WAL is in the OS's hands at commit);
# FULL also survives a power cut, at the price of an fsync per commit.
_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY",
            # 64 MB of page cache per connection (the default is 2 MB): the unique index on
            # (source, event id) stays in memory as the database grows to millions of events.
            "PRAGMA cache_size=-65536",
            # Checkpoints run in the background (see _Checkpointer); this is only the backstop.
            "PRAGMA wal_autocheckpoint=10000")
CHECKPOINT_INTERVAL_SECONDS = 0.1


def sqlite_path(url: str) -> str:
    """The file path of a `sqlite:///path` URL."""
    return url.removeprefix("sqlite:///")


def checkpoint_lock_path(path: str) -> str:
    """The lock file that lets one checkpoint at a time run on the database at `path`."""
    return path + ".checkpoint-lock"


class SqliteStorage(SqlStorage):
    """One connection per process and thread, opened lazily (safe across gunicorn's fork)."""

    def __init__(self, url: str, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._write_lock_path = self.path + ".write-lock" if self.path != ":memory:" else None
        self._checkpointer = _Checkpointer(self.path) if self.path != ":memory:" else None

    def _write_lock(self) -> int | None:
        """The descriptor, in this process, of the lock file that queues writers (None for :memory:)."""
        if self._write_lock_path is None:
            return None
        local = self._local
        if getattr(local, "lock_pid", None) != current_pid():
            local.lock_fd = os.open(self._write_lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            local.lock_pid = current_pid()
        return int(local.lock_fd)

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != current_pid():
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                         timeout=self.busy_timeout_ms / 1000)
            for pragma in _PRAGMAS:
                connection.execute(pragma)
            connection.execute(f"PRAGMA synchronous={self.synchronous}")
            connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            local.connection, local.pid = connection, current_pid()
        connection = local.connection
        assert isinstance(connection, sqlite3.Connection)
        return connection

    def transaction(self, write: bool = False) -> _Transaction:
        """A transaction; writers queue on a file lock first, then on SQLite's own lock.

        SQLite's own busy handler polls with sleeps of 1 ms and more, which wastes most of a
        short write; a blocking flock() wakes the next writer the moment the lock is free.
        """
        return _Transaction(self, self._write_lock() if write else None)

    def store(self, source_input: InputRecord | None, events: Sequence[EventRecord],
              rejections: Sequence[RejectionRecord] = (), route: Router | None = None) -> StoreResult:
        """Write the input (None: not kept), its new events, their outbox rows and its rejections in one transaction."""
        # What needs no database (compressing the body, encoding, routing) is done before the
        # write lock is taken: while one worker holds it, every other worker's write waits.
        input_values = input_row(source_input) if source_input is not None else None
        destinations = [route(record.event) for record in events] if route is not None else None
        rejection_rows = [rejection.row() for rejection in rejections]
        if input_values is None and not rejection_rows and len(events) == 1 and not (destinations and destinations[0]):
            return self._store_one_event(events[0])
        with self.transaction(write=True) as connection:
            input_id = _insert_input(connection, input_values) if input_values is not None else None
            stored: dict[int, int] = {}
            if events:
                stored = self._insert_events(connection, input_id, events)
                if destinations:
                    self._insert_outbox(connection, events, stored, destinations)
            rejection_ids = tuple(_insert_rejection(connection, input_id, row) for row in rejection_rows)
        return StoreResult(input_id=input_id, stored=frozenset(stored), rejection_ids=rejection_ids)

    def _store_one_event(self, record: EventRecord) -> StoreResult:
        """The usual input, one event and nothing else to write: a single statement, its own transaction.

        SQLite makes every statement outside BEGIN atomic and durable on its own; leaving out the
        BEGIN and COMMIT statements saves two round trips through the sqlite3 module on every write.
        """
        with _Transaction(self, self._write_lock(), explicit=False) as connection:
            inserted = connection.execute(INSERT_EVENT, record.row(None)).rowcount == 1
        return StoreResult(input_id=None, stored=_FIRST if inserted else _NONE, rejection_ids=())

    def _insert_events(self, connection: Any, input_id: int | None, events: Sequence[EventRecord]) -> dict[int, int]:
        """One statement for a batch: under the write lock, the new rows are exactly those past the old maximum."""
        if len(events) == 1:
            cursor = connection.execute(INSERT_EVENT, events[0].row(input_id))
            return {0: int(cursor.lastrowid)} if cursor.rowcount == 1 else {}
        before = connection.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        connection.executemany(INSERT_EVENT, [record.row(input_id) for record in events])
        inserted = {(source, event_id): seq for source, event_id, seq in connection.execute(
            "SELECT source_id, event_id, seq FROM events WHERE seq > ?", (before,)).fetchall()}
        stored: dict[int, int] = {}
        for index, record in enumerate(events):
            seq = inserted.pop((record.event["source"]["id"], record.event["id"]), None)
            if seq is not None:
                stored[index] = seq
        return stored

    @staticmethod
    def _insert_outbox(connection: Any, events: Sequence[EventRecord], stored: dict[int, int],
                       destinations: list[Sequence[str]]) -> None:
        """One row per (new event, destination); duplicates of stored events get none."""
        outbox: list[tuple[Any, ...]] = []
        for index, seq in sorted(stored.items()):
            if destinations[index]:
                event = events[index].event
                now, key = event["receivedAt"], user_key(event)
                outbox.extend((seq, destination, now, now, now, key) for destination in destinations[index])
        if outbox:
            connection.executemany(INSERT_OUTBOX, outbox)

    def truncate_log(self) -> bool:
        """Empty the -wal file (a TRUNCATE checkpoint) now if that needs no waiting (done or not).

        The WAL only grows: its pages are reused, never given back, so after a burst or a purge it
        stays as large as it ever was. Most of the copy is done first by a PASSIVE checkpoint, which
        waits for nobody; the TRUNCATE then takes the writers' lock only if it is free (and SQLite's
        without waiting), so the ingestion path queues behind it for a few frames at most. Readers
        still on the old log, or a writer, make it give up: the next purge tries again.
        """
        lock = self._write_lock()
        if lock is None:
            return True
        # The background checkpointers' lock: one of theirs running now would make this one busy.
        checkpoints = os.open(checkpoint_lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o600)
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        try:
            fcntl.flock(checkpoints, fcntl.LOCK_EX)  # held for one passive checkpoint at most; nobody writes under it
            connection.execute("PRAGMA busy_timeout=0")
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            try:
                busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                return int(busy) == 0
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        except sqlite3.Error:
            return False  # locked or gone: the next purge tries again
        finally:
            connection.close()
            os.close(checkpoints)  # releases its lock

    def close(self) -> None:
        """Close this thread's connection and lock file (other threads keep theirs: delivery runs one per lane)."""
        local = self._local
        if getattr(local, "pid", None) == current_pid():
            local.connection.close()
        if getattr(local, "lock_pid", None) == current_pid():
            os.close(local.lock_fd)
        local.__dict__.clear()


_FIRST: frozenset[int] = frozenset({0})
_NONE: frozenset[int] = frozenset()


class _Transaction:
    """The context manager of SqliteStorage.transaction (a class: every input enters one).

    With `explicit=False` the block runs one statement, which SQLite commits by itself.
    """

    __slots__ = ("connection", "explicit", "lock", "storage")

    def __init__(self, storage: SqliteStorage, lock: int | None, explicit: bool = True) -> None:
        self.storage = storage
        self.lock = lock
        self.explicit = explicit

    def __enter__(self) -> sqlite3.Connection:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            self.connection = self.storage._connection()
            # Writers already queue on the file lock, so a deferred BEGIN does not risk SQLITE_BUSY
            # between our own processes; anything else writing (migrations) waits on busy_timeout.
            if self.explicit:
                self.connection.execute("BEGIN")
        except sqlite3.Error as error:
            self._release()
            raise self._unavailable(error) from error
        except BaseException:
            self._release()
            raise
        return self.connection

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        try:
            if kind is not None:
                if self.explicit:
                    _rollback(self.connection)
                if isinstance(error, sqlite3.OperationalError):
                    raise self._unavailable(error) from error
                return
            if not self.explicit:
                return  # the statement committed itself
            try:
                self.connection.execute("COMMIT")
            except sqlite3.OperationalError as failure:
                _rollback(self.connection)
                raise self._unavailable(failure) from failure
            except BaseException:
                _rollback(self.connection)
                raise
        finally:
            self._release()

    def _unavailable(self, error: sqlite3.Error) -> StorageUnavailable:
        return StorageUnavailable(f"SQLite database {self.storage.path} unavailable: {error}")

    def _release(self) -> None:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            checkpointer = self.storage._checkpointer
            if checkpointer is not None:
                checkpointer.note_write()


def _insert_input(connection: Any, values: tuple[Any, ...]) -> int:
    """lastrowid: cheaper than RETURNING in SQLite."""
    return int(connection.execute(INSERT_INPUT, values).lastrowid)


def _insert_rejection(connection: Any, input_id: int | None, row: tuple[Any, ...]) -> int:
    received_at, *rest = row
    return int(connection.execute(INSERT_REJECTION, (received_at, input_id, *rest)).fetchone()[0])


def _rollback(connection: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):  # the transaction may already be gone; nothing was committed
        connection.execute("ROLLBACK")


class _Checkpointer:
    """Moves the WAL into the database file in a background thread, off the request path.

    A checkpoint inside a request costs that request the copy and the fsync; here it costs
    nobody a wait. A file lock makes one process at a time do it.
    """

    def __init__(self, path: str, interval: float = CHECKPOINT_INTERVAL_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self._pid: int | None = None
        self._dirty = threading.Event()

    def note_write(self) -> None:
        """Ask for a checkpoint soon; starts this process's thread the first time."""
        if self._pid != current_pid():
            self._pid = current_pid()
            self._dirty = threading.Event()
            threading.Thread(target=self._run, name="tagway-sqlite-checkpoint", daemon=True).start()
        if not self._dirty.is_set():  # set() takes a lock and wakes waiters: once per round is enough
            self._dirty.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5)
        lock = os.open(checkpoint_lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            self._dirty.wait()
            time.sleep(self.interval)
            self._dirty.clear()
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another process is checkpointing
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # busy or gone: the next round, or the autocheckpoint backstop, catches up
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
