"""SQLite in WAL mode: the embedded default, one file, nothing else to run."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

from app.process import current_pid
from app.storage.base import INSERT_EVENT, INSERT_INPUT, INSERT_REJECTION, Router, SqlStorage, input_row
from app.storage.outbox import INSERT_OUTBOX, user_key
from app.storage.readiness import NotReady, SchemaGate
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StoreResult
from app.storage.sqlite_file import FileWatch, file_problem, take_lock
from app.storage.witnesses import store_with_witnesses

# WAL with synchronous=NORMAL survives a killed process (the WAL is in the OS's hands at commit);
# FULL also survives a power cut, at the price of an fsync per commit.
_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY",
            # 64 MB of page cache per connection (the default is 2 MB): the unique index on
            # (source, event id) stays in memory as the database grows to millions of events.
            "PRAGMA cache_size=-65536",
            # Checkpoints run in the background (see _Checkpointer); this is only the backstop.
            "PRAGMA wal_autocheckpoint=10000")
CHECKPOINT_INTERVAL_SECONDS = 0.1
READY_WAIT_SECONDS = 0.3
"""How long /readyz waits for each lock: a stalled database must not stall the probe."""
# Errors after which the connection is not trusted again: SQLite opens a file it may not write
# read-only, and keeps it so even once the file is writable again; I/O errors leave it in doubt.
_DROP_AFTER = frozenset({sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
                         sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FULL})
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def sqlite_path(url: str) -> str:
    """The file path of a `sqlite:///path` URL."""
    return url.removeprefix("sqlite:///")


def _open_existing(path: str, timeout: float) -> sqlite3.Connection:
    """A connection to the database file at `path`, never creating one (migrations do)."""
    if path == ":memory:":
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout)
    uri = f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=rw"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=timeout)


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
        in_file = self.path != ":memory:"
        self._write_lock_path = self.path + ".write-lock" if in_file else None
        self._checkpointer = _Checkpointer(self.path) if in_file else None
        self.watch = FileWatch(self.path) if in_file else None
        self.schema = SchemaGate(url)

    def _write_lock(self) -> int | None:
        """The descriptor, in this process, of the lock file that queues writers (None for :memory:)."""
        if self._write_lock_path is None:
            return None
        local = self._local
        if getattr(local, "lock_pid", None) != current_pid():
            try:
                local.lock_fd = os.open(self._write_lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:  # the folder gone or not writable: a fault like the database's own
                raise NotReady("unavailable", f"SQLite database {self.path} unavailable: {error}") from error
            local.lock_pid = current_pid()
        return int(local.lock_fd)

    def _connection(self, write: bool = False) -> sqlite3.Connection:
        """The calling thread's connection (raises sqlite3.Error or NotReady), reopened for a write if read-only."""
        local = self._local
        if getattr(local, "pid", None) == current_pid():
            if not (write and local.read_only):
                connection = local.connection
                assert isinstance(connection, sqlite3.Connection)
                return connection
            self.drop_connection()  # opened while the file was not writable: perhaps it is now
        connection = _open_existing(self.path, self.busy_timeout_ms / 1000)
        try:
            for pragma in _PRAGMAS:
                connection.execute(pragma)
            connection.execute(f"PRAGMA synchronous={self.synchronous}")
            connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            if self.watch is not None:
                self.watch.opened()
            self.schema.ensure()
        except BaseException:
            connection.close()
            raise
        local.read_only = self.path != ":memory:" and not os.access(self.path, os.W_OK)
        local.connection, local.pid = connection, current_pid()
        return connection

    def drop_connection(self) -> None:
        """Close this thread's connection: the next transaction opens a new one."""
        local = self._local
        if getattr(local, "pid", None) == current_pid():
            with contextlib.suppress(sqlite3.Error):
                local.connection.close()
        for name in ("connection", "pid", "read_only"):
            local.__dict__.pop(name, None)

    def check_ready(self) -> None:
        """Raise NotReady unless a write would succeed now: the file, its room, both locks (each briefly)."""
        if self.watch is not None:
            self.watch.check()
            problem = file_problem(self.path)
            if problem is not None:
                raise problem
        lock = self._write_lock()
        if lock is not None and not take_lock(lock, READY_WAIT_SECONDS):
            raise NotReady("busy", "a write has held the writers' lock for longer than the probe waits")
        try:
            connection = self._checked(self._connection, write=True)
            self._checked(connection.execute, f"PRAGMA busy_timeout={int(READY_WAIT_SECONDS * 1000)}")
            try:
                # Takes SQLite's write lock as a writer would, without writing.
                self._checked(connection.execute, "BEGIN IMMEDIATE")
                _rollback(connection)
            finally:
                with contextlib.suppress(sqlite3.Error):  # dropped meanwhile: the next one gets the setting
                    connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        finally:
            if lock is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _checked(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """`call(...)`, its SQLite error as NotReady (the connection dropped when it is no longer trusted)."""
        try:
            return call(*args, **kwargs)
        except sqlite3.Error as error:
            raise self.unavailable(error, reason="busy" if _code(error) in _BUSY else "unavailable") from error

    def unavailable(self, error: sqlite3.Error, reason: str = "unavailable") -> NotReady:
        """The error as NotReady; a connection that hit a file or disk fault is dropped, so that writes recover."""
        if _code(error) in _DROP_AFTER:
            self.drop_connection()
        return NotReady(reason, f"SQLite database {self.path} unavailable: {error}")

    def transaction(self, write: bool = False) -> _Transaction:
        """A transaction; writers queue on a file lock first, then on SQLite's own lock.

        SQLite's own busy handler polls with sleeps of 1 ms and more, which wastes most of a
        short write; a blocking flock() wakes the next writer the moment the lock is free.
        """
        return _Transaction(self, self._write_lock() if write else None)

    def store(self, source_input: InputRecord | None, events: Sequence[EventRecord],
              rejections: Sequence[RejectionRecord] = (), route: Router | None = None,
              witness_wait_seconds: float = 0.0) -> StoreResult:
        """Write the input (None: not kept), its new events, their outbox rows and its rejections in one transaction."""
        if any(record.witness_kind is not None for record in events):
            return store_with_witnesses(self, source_input, events, rejections, route, witness_wait_seconds)
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
        try:
            connection = _open_existing(self.path, 0)  # never recreates a deleted database file
        except sqlite3.Error:
            os.close(checkpoints)
            return False
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
        self.drop_connection()
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
        storage = self.storage
        # Bounded like SQLite's own wait: a stalled writer holding it must cost the others a 503, not a hung worker.
        if self.lock is not None and not take_lock(self.lock, storage.busy_timeout_ms / 1000):
            raise NotReady("busy", f"SQLite database {storage.path} unavailable: the writers' lock was held "
                                   f"for more than {storage.busy_timeout_ms} ms")
        try:
            self.connection = storage._connection(write=self.lock is not None)
            if self.lock is not None and storage.watch is not None:
                storage.watch.check()  # never acknowledge into a file that is no longer the database
            # Writers already queue on the file lock, so a deferred BEGIN does not risk SQLITE_BUSY
            # between our own processes; anything else writing (migrations) waits on busy_timeout.
            if self.explicit:
                self.connection.execute("BEGIN")
        except sqlite3.Error as error:
            self._release()
            raise storage.unavailable(error) from error
        except BaseException:
            self._release()
            raise
        return self.connection

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        wrote = False
        try:
            if kind is not None:
                if self.explicit:
                    _rollback(self.connection)
                if isinstance(error, sqlite3.OperationalError) or (
                        isinstance(error, sqlite3.Error) and _code(error) in _DROP_AFTER):
                    raise self.storage.unavailable(error) from error
                return
            if not self.explicit:
                wrote = True  # the statement committed itself
                return
            try:
                self.connection.execute("COMMIT")
                wrote = True
            except sqlite3.OperationalError as failure:
                _rollback(self.connection)
                raise self.storage.unavailable(failure) from failure
            except BaseException:
                _rollback(self.connection)
                raise
        finally:
            self._release(wrote)

    def _release(self, wrote: bool = False) -> None:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            checkpointer = self.storage._checkpointer
            if wrote and checkpointer is not None:
                checkpointer.note_write()


def _insert_input(connection: Any, values: tuple[Any, ...]) -> int:
    """lastrowid: cheaper than RETURNING in SQLite."""
    return int(connection.execute(INSERT_INPUT, values).lastrowid)


def _insert_rejection(connection: Any, input_id: int | None, row: tuple[Any, ...]) -> int:
    received_at, *rest = row
    return int(connection.execute(INSERT_REJECTION, (received_at, input_id, *rest)).fetchone()[0])


def _code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of the error (its extended code carries more in the high bits)."""
    return int(getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


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
        connection: sqlite3.Connection | None = None
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
                # Opened here, never creating the file: a deleted database must stay visibly gone.
                connection = connection or _open_existing(self.path, 5)
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # busy or gone: the next round, or the autocheckpoint backstop, catches up
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
