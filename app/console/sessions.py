"""Signed-in console sessions kept in the database, so that signing out revokes them on every worker and machine."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from app.storage import SqlStorage


def _digest(session_id: str) -> str:
    # Only the digest is stored: a copy of the table names no session a cookie could carry.
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class SessionScope:
    """What a session may see: everything (an admin's), or one source (opened by a viewer link)."""

    source_id: str | None = None
    viewer_link: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the admin token opened this session (a viewer link's is limited to its source)."""
        return self.source_id is None


ADMIN = SessionScope()


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

    def start(self, scope: SessionScope = ADMIN) -> str:
        """A new session's id (for the signed cookie); expired rows are swept on the way.

        An admin's session sees everything; a viewer link's sees its one source until the link is revoked.
        """
        session_id = secrets.token_urlsafe(32)
        now = self._now()
        storage = self._storage
        with storage.transaction(write=True) as connection:
            connection.execute(storage.sql("DELETE FROM console_sessions WHERE expires_at <= ?"), (now,))
            connection.execute(storage.sql(
                "INSERT INTO console_sessions (id_digest, created_at, expires_at, source_id, viewer_link) "
                "VALUES (?, ?, ?, ?, ?)"),
                (_digest(session_id), now, now + self._lifetime, scope.source_id, scope.viewer_link))
        return session_id

    def find(self, session_id: str) -> SessionScope | None:
        """What a live session may see, or None when it was never started, has expired, or was signed out."""
        storage = self._storage
        with storage.transaction() as connection:
            row = connection.execute(storage.sql(
                "SELECT source_id, viewer_link FROM console_sessions WHERE id_digest = ? AND expires_at > ?"),
                (_digest(session_id), self._now())).fetchone()
        return None if row is None else SessionScope(row[0], row[1])

    def is_live(self, session_id: str) -> bool:
        """Whether the session was started here, has not expired, and nobody signed it out."""
        return self.find(session_id) is not None

    def revoke_link(self, connection: Any, link_id: str) -> None:
        """End every session a viewer link opened (in the caller's transaction, which revokes the link)."""
        connection.execute(self._storage.sql("DELETE FROM console_sessions WHERE viewer_link = ?"), (link_id,))

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
