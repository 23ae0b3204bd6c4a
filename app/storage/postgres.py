"""PostgreSQL: the engine for more than one machine (many gateways and workers on one database)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from app.storage.base import Router, SqlStorage
from app.storage.outbox import due_selects
from app.storage.postgres_write import store_parameters, store_result, store_statement
from app.storage.readiness import NotReady, SchemaGate
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StoreResult
from app.storage.witnesses import store_with_witnesses

READY_TIMEOUT_MS = 500
"""How long /readyz lets the database take to answer: a stalled database must not stall the probe."""
READY_CONNECT_SECONDS = 2
"""libpq's shortest connect timeout (it reads 1 as 2)."""


def libpq_url(url: str) -> str:
    """A URL libpq accepts (SQLAlchemy-style driver suffixes removed)."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return url


class PostgresStorage(SqlStorage):
    """One connection per process and thread, opened lazily, reopened after it broke."""

    paramstyle = "%s"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    compress_bodies = False

    def __init__(self, url: str, connect_timeout: int = 5, lock_timeout_ms: int = 5000) -> None:
        self.url = libpq_url(url)
        self.connect_timeout = connect_timeout
        # A write waiting on a lock (a migration's, an operator's) gives up like SQLite's busy timeout
        # does: a 503 the client retries, not a worker hung until gunicorn kills it.
        self.lock_timeout_ms = max(1, lock_timeout_ms)
        self._local = threading.local()
        self.schema = SchemaGate(url)

    def _connection(self, connect_timeout: int | None = None) -> psycopg.Connection[Any]:
        local = self._local
        connection = getattr(local, "connection", None)
        if getattr(local, "pid", None) != os.getpid() or connection is None or connection.closed:
            connection = psycopg.connect(self.url, autocommit=True, application_name="tagway",
                                         connect_timeout=connect_timeout or self.connect_timeout,
                                         options=f"-c lock_timeout={self.lock_timeout_ms}")
            try:
                self.schema.ensure()  # the first time the database answers, when it did not at boot
            except BaseException:
                connection.close()
                raise
            local.connection, local.pid = connection, os.getpid()
        return connection

    @contextmanager
    def connected(self, connect_timeout: int | None = None) -> Iterator[psycopg.Connection[Any]]:
        """The connection of the calling thread (autocommit); a lost or refused connection is NotReady."""
        try:
            connection = self._connection(connect_timeout)
        except psycopg.OperationalError as error:
            raise NotReady("unreachable", f"PostgreSQL unavailable: {_first_line(error)}") from error
        try:
            yield connection
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as error:
            # A timeout the gateway set: the connection is sound, the database busy.
            raise NotReady("busy", f"PostgreSQL busy: {_first_line(error)}") from error
        except psycopg.errors.ReadOnlySqlTransaction as error:  # a replica, or a database set read-only
            raise NotReady("read-only", f"PostgreSQL takes no writes: {_first_line(error)}") from error
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            self._drop()
            raise NotReady("unreachable", f"PostgreSQL unavailable: {_first_line(error)}") from error

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[psycopg.Connection[Any]]:
        """A transaction (READ COMMITTED)."""
        with self.connected() as connection, connection.transaction():
            yield connection

    def check_ready(self) -> None:
        """Raise NotReady unless the server answers quickly in a transaction that may write (not a replica)."""
        with self.connected(READY_CONNECT_SECONDS) as connection, connection.transaction():
            connection.execute(f"SET LOCAL statement_timeout = {READY_TIMEOUT_MS}")
            row = connection.execute("SHOW transaction_read_only").fetchone()
        if row is None or row[0] != "off":
            raise NotReady("read-only", "PostgreSQL takes no writes here (a replica, or read-only by default)")

    def store(self, source_input: InputRecord | None, events: Sequence[EventRecord],
              rejections: Sequence[RejectionRecord] = (), route: Router | None = None,
              witness_wait_seconds: float = 0.0) -> StoreResult:
        """The input (unless None: not kept), its new events, their outbox rows and its rejections in one statement."""
        if any(record.witness_kind is not None for record in events):
            return store_with_witnesses(self, source_input, events, rejections, route, witness_wait_seconds)
        with self.connected() as connection:
            rows = connection.execute(store_statement(source_input),
                                      store_parameters(source_input, events, rejections, route)).fetchall()
        return store_result(rows, events)

    def lock_witnessed(self, connection: Any, event_id: str) -> None:
        """An advisory lock on the event id: two witnesses of one order arriving at once are kept one after the other.

        Without it, both would find no witness yet and each store the event under its own source.
        """
        connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (event_id,))

    def executemany(self, connection: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Psycopg runs many rows through a cursor (pipelined)."""
        with connection.cursor() as cursor:
            cursor.executemany(statement, rows)

    def executemany_returning(self, connection: Any, statement: str,
                              rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Pipelined, as executemany, collecting what each run returned."""
        returned: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            cursor.executemany(statement, rows, returning=True)
            while True:
                returned.extend(cursor.fetchall())
                if not cursor.nextset():
                    return returned

    def _claim_ids(self, connection: Any, destination: str, now: str, lease_until: str, limit: int,
                   ordered: bool, lease: str) -> list[int]:
        """FOR UPDATE SKIP LOCKED: several workers claim at once, never the same row."""
        ids: list[int] = []
        for due in due_selects(ordered):
            if len(ids) < limit:
                rows = connection.execute(self.sql(
                    f"WITH due AS ({due} FOR UPDATE SKIP LOCKED) "
                    "UPDATE outbox SET status = 'inflight', lease_until = ?, lease_owner = ?, updated_at = ? "
                    "FROM due WHERE outbox.id = due.id RETURNING outbox.id"),
                    (destination, now, limit - len(ids), lease_until, lease, now)).fetchall()
                ids += [int(row[0]) for row in rows]
        return sorted(ids)

    def close(self) -> None:
        """Close this thread's connection."""
        self._drop()

    def _drop(self) -> None:
        """Forget this thread's connection (other threads keep theirs: delivery runs one per lane)."""
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is not None and getattr(local, "pid", None) == os.getpid():
            with contextlib.suppress(psycopg.Error):  # already broken
                connection.close()
        local.__dict__.clear()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
