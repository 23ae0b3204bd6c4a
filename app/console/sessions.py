"""Signed-in console sessions kept in the database, so that signing out revokes them on every worker and machine."""

from __future__ import annotations

import hashlib
import secrets
import time

from app.storage import SqlStorage


def _digest(session_id: str) -> str:
    # Only the digest is stored: a copy of the table names no session a cookie could carry.
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Starts, checks and revokes console sessions: one row each, looked up by primary key on every request."""

    def __init__(self, storage: SqlStorage, lifetime_seconds: int) -> None:
        self._storage = storage
        self._lifetime = lifetime_seconds

    @staticmethod
    def _now() -> int:
        # The wall clock, as the cookie's signature (itsdangerous) dates it; the gateway's clock is the
        # events' (frozen or moved by tests), and a session must not end because events were backdated.
        return int(time.time())

    def start(self) -> str:
        """A new session's id (for the signed cookie); expired rows are swept on the way."""
        session_id = secrets.token_urlsafe(32)
        now = self._now()
        storage = self._storage
        with storage.transaction(write=True) as connection:
            connection.execute(storage.sql("DELETE FROM console_sessions WHERE expires_at <= ?"), (now,))
            connection.execute(storage.sql(
                "INSERT INTO console_sessions (id_digest, created_at, expires_at) VALUES (?, ?, ?)"),
                (_digest(session_id), now, now + self._lifetime))
        return session_id

    def is_live(self, session_id: str) -> bool:
        """Whether the session was started here, has not expired, and nobody signed it out."""
        storage = self._storage
        with storage.transaction() as connection:
            row = connection.execute(storage.sql(
                "SELECT 1 FROM console_sessions WHERE id_digest = ? AND expires_at > ?"),
                (_digest(session_id), self._now())).fetchone()
        return row is not None

    def revoke(self, session_id: str) -> None:
        """Sign one session out: its cookie is refused from now on, wherever it is presented."""
        storage = self._storage
        with storage.transaction(write=True) as connection:
            connection.execute(storage.sql("DELETE FROM console_sessions WHERE id_digest = ?"),
                               (_digest(session_id),))

    def revoke_all(self) -> None:
        """Sign every session out, this browser's and every other one's."""
        with self._storage.transaction(write=True) as connection:
            connection.execute("DELETE FROM console_sessions")
