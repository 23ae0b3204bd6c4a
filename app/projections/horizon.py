"""How far the events are final: the seq below which no transaction can still commit an event.

SQLite has one writer at a time and gives each event the next seq inside its write transaction, so
events commit in seq order and the horizon is simply the largest seq.

PostgreSQL draws seqs from a sequence before the transaction commits: a transaction holding seq 10 may
commit after one holding seq 11, and a cursor that moved past 11 would never see 10. Reading
`pg_current_snapshot()` beside the largest visible seq H gives `xmax`, the first transaction id not yet
assigned: every transaction that could hold a seq up to H has an id below it. Once the snapshot's
`xmin` (the oldest transaction still running) has reached that `xmax`, all of them have ended, and the
events up to H are final. Nothing is written for this on the ingestion path (no trigger, no column).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.projections.base import Database

PENDING_GRACE_SECONDS = 0.2
"""A horizon is trusted only once this old: a seq is drawn a moment before its transaction gets an id."""


@dataclass
class _Pending:
    top: int
    xmax: int
    seen_at: float


class CommitHorizon:
    """The largest seq up to which every row that will ever commit is visible now (per projection runner and table)."""

    def __init__(self, table: str = "events") -> None:
        self.table = table  # events, or witnesses: any table whose seq is drawn the same way
        self.safe = 0
        self._pending: _Pending | None = None

    def current(self, db: Database) -> int:
        """The horizon now (never moves backwards within this process)."""
        if not db.postgres:
            row = db.one(f"SELECT coalesce(max(seq), 0) FROM {self.table}")  # noqa: S608 (a constant)
            self.safe = max(self.safe, int(row[0]) if row else 0)
            return self.safe
        row = db.one("SELECT pg_snapshot_xmin(s)::text, pg_snapshot_xmax(s)::text, "  # noqa: S608 (a constant)
                     f"(SELECT coalesce(max(seq), 0) FROM {self.table}) FROM pg_current_snapshot() s")
        assert row is not None
        xmin, xmax, top = int(row[0]), int(row[1]), int(row[2])
        now = time.monotonic()
        pending = self._pending
        if pending is not None and xmin >= pending.xmax and now - pending.seen_at >= PENDING_GRACE_SECONDS:
            self.safe = max(self.safe, pending.top)
            self._pending = pending = None
        if pending is None and top > self.safe:
            self._pending = _Pending(top, xmax, now)
        return self.safe
