"""SQLite in WAL mode: the embedded default, one file, nothing else to run."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.storage.base import SqlStorage
from app.storage.records import StorageUnavailable

# WAL with synchronous=NORMAL survives a killed process (the WAL is in the OS's hands at commit);
# FULL also survives a power cut, at the price of an fsync per commit.
_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY")


def sqlite_path(url: str) -> str:
    """The file path of a `sqlite:///path` URL."""
    return url.removeprefix("sqlite:///")


class SqliteStorage(SqlStorage):
    """One connection per process and thread, opened lazily (safe across gunicorn's fork)."""

    def __init__(self, url: str, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                         timeout=self.busy_timeout_ms / 1000)
            for pragma in _PRAGMAS:
                connection.execute(pragma)
            connection.execute(f"PRAGMA synchronous={self.synchronous}")
            connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            local.connection, local.pid = connection, os.getpid()
        connection = local.connection
        assert isinstance(connection, sqlite3.Connection)
        return connection

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE for writes so that the write lock is taken up front, not mid-way."""
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as error:
            raise StorageUnavailable(f"SQLite database {self.path} unavailable: {error}") from error
        try:
            yield connection
            connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            _rollback(connection)
            raise StorageUnavailable(f"SQLite database {self.path} unavailable: {error}") from error
        except BaseException:
            _rollback(connection)
            raise

    def close(self) -> None:
        """Close this thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "pid", None) == os.getpid():
            connection.close()
        self._local = threading.local()


def _rollback(connection: sqlite3.Connection) -> None:
    try:
        connection.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the transaction is already gone; nothing was committed
