"""The accounts of an order event the people projection reads: the first witness's, then each later one's.

An order event of a site is one row of events whose body becomes the merge of its witnesses as they arrive
(docs/witnesses.md). The projection reads that event as its first witness told it, and each later witness
at its own place in the witnesses' commit order, so that a rebuild, which finds the row already merged,
makes the same people in the same order as the worker that saw the witnesses come one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from app.event.witnesses import ORDER_EVENTS, Witness, merge_witnesses
from app.projections.base import Database, StoredEvent, StoredWitness


def as_first_told(db: Database, events: Sequence[StoredEvent]) -> list[StoredEvent]:
    """The events, each order event with witnesses as its first witness told it (one query per batch)."""
    seqs = [stored.seq for stored in events if stored.event.get("name") in ORDER_EVENTS]
    if not seqs:
        return list(events)
    first: dict[int, dict[str, object]] = {}
    for start in range(0, len(seqs), 500):
        chunk = seqs[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for event_seq, body in db.all(
                f"SELECT w.event_seq, w.body FROM witnesses w WHERE w.event_seq IN ({marks}) "  # noqa: S608
                "AND w.seq = (SELECT min(m.seq) FROM witnesses m WHERE m.event_seq = w.event_seq)", chunk):
            first[int(event_seq)] = orjson.loads(body)
    return [StoredEvent(stored.seq, first[stored.seq]) if stored.seq in first else stored for stored in events]


def accounts_until(db: Database, witness: StoredWitness) -> list[StoredWitness]:
    """The witnesses of the witness's event up to it, first kept first."""
    rows = db.all("SELECT seq, event_seq, source_id, kind, body FROM witnesses WHERE event_seq = ? AND seq <= ? "
                  "ORDER BY seq", (witness.event_seq, witness.seq))
    return [StoredWitness(int(seq), int(event_seq), source_id, kind, orjson.loads(body))
            for seq, event_seq, source_id, kind, body in rows]


def merged(accounts: Sequence[StoredWitness]) -> dict[str, object]:
    """The event these accounts make together (the stored event as it was once they had all arrived)."""
    return merge_witnesses([Witness(a.source_id, a.kind, a.event) for a in accounts])
