"""Why storage cannot take a write now, and the check that the schema is up to date before the first one."""

from __future__ import annotations

import sqlite3

import psycopg

from app.process import current_pid
from app.storage.migrations import pending_migrations
from app.storage.records import StorageUnavailable

DATABASE_ERRORS = (sqlite3.Error, psycopg.Error, OSError)
"""What either engine raises when the database cannot be reached or read."""


class NotReady(StorageUnavailable):
    """Storage would refuse a write now; `reason` is a stable word for /readyz, the message says more."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class SchemaGate:
    """Checks once per process, on the first connection, that no migration is pending.

    A gateway that starts while its database is unreachable cannot check at boot; it checks here as
    soon as the database answers, so that it never writes into a schema older than its code.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._checked_pid: int | None = None

    def ensure(self) -> None:
        """Raise NotReady while migrations are pending or the database cannot say (checked until it once passes)."""
        if self._checked_pid == current_pid():
            return
        try:
            pending = pending_migrations(self.url)
        except DATABASE_ERRORS as error:
            raise NotReady("unreachable", f"the database cannot be read: {first_line(error)}") from error
        if pending:
            raise NotReady("outdated", f"the database is not up to date ({len(pending)} migrations pending); "
                                       "run `tagway db upgrade`")
        self._checked_pid = current_pid()


def first_line(error: BaseException) -> str:
    """The first line of an error's message (database errors run on with hints and context)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
