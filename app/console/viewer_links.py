"""Read-only viewer links: each opens one source's live events and rejections, until it is revoked.

A link is `<public URL>/console/view/<token>`. Only the token's digest is stored, so the link is shown
once, when it is made; revoking it also ends every console session it opened.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from app.console.sessions import SessionStore
from app.storage import SqlStorage

TOKEN_PREFIX = "vw_"  # noqa: S105 (a prefix that tells a link token apart, not a secret)
MAX_LABEL = 100


def token_digest(token: str) -> str:
    """The digest a link's token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ViewerLink:
    """One link as listed: never its token."""

    id: str
    source_id: str
    label: str
    created_at: int
    revoked_at: int | None

    @property
    def active(self) -> bool:
        """Whether the link still opens its source."""
        return self.revoked_at is None


_COLUMNS = "id, source_id, label, created_at, revoked_at"


class ViewerLinks:
    """Makes, lists, finds and revokes viewer links."""

    def __init__(self, storage: SqlStorage, sessions: SessionStore) -> None:
        self._storage = storage
        self._sessions = sessions

    def create(self, source_id: str, label: str) -> tuple[ViewerLink, str]:
        """A new link for a source and its token (to show once: only its digest is kept)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        link = ViewerLink(secrets.token_hex(8), source_id, label.strip()[:MAX_LABEL], int(time.time()), None)
        storage = self._storage
        with storage.transaction(write=True) as connection:
            connection.execute(storage.sql(
                "INSERT INTO console_viewer_links (id, token_digest, source_id, label, created_at) "
                "VALUES (?, ?, ?, ?, ?)"), (link.id, token_digest(token), link.source_id, link.label, link.created_at))
        return link, token

    def of_source(self, source_id: str) -> list[ViewerLink]:
        """A source's links, newest first, revoked ones included."""
        storage = self._storage
        with storage.transaction() as connection:
            rows = connection.execute(storage.sql(
                f"SELECT {_COLUMNS} FROM console_viewer_links WHERE source_id = ? "  # noqa: S608
                "ORDER BY created_at DESC, id"), (source_id,)).fetchall()
        return [ViewerLink(*row) for row in rows]

    def find(self, token: str) -> ViewerLink | None:
        """The active link with this token, or None (unknown or revoked); looked up by digest."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        storage = self._storage
        with storage.transaction() as connection:
            row = connection.execute(storage.sql(
                f"SELECT {_COLUMNS} FROM console_viewer_links "  # noqa: S608
                "WHERE token_digest = ? AND revoked_at IS NULL"), (token_digest(token),)).fetchone()
        return None if row is None else ViewerLink(*row)

    def revoke(self, source_id: str, link_id: str) -> bool:
        """Revoke a source's link and end the sessions it opened; False when the source has no such link."""
        storage = self._storage
        with storage.transaction(write=True) as connection:
            changed = connection.execute(storage.sql(
                "UPDATE console_viewer_links SET revoked_at = ? WHERE id = ? AND source_id = ? AND revoked_at IS NULL"),
                (int(time.time()), link_id, source_id)).rowcount
            self._sessions.revoke_link(connection, link_id)
        return bool(changed)
