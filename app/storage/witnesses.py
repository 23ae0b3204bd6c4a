"""Storing an input with an order event of a site: the first witness is the event, later ones are kept beside it.

Only inputs with such an event take this path (the others keep their engine's one-statement write),
so it favours being plain over being fast: one statement per row, in one transaction, on either engine.

For each witnessed event, under a lock on its id (PostgreSQL: an advisory lock; SQLite: the writers'
lock already held): a repeat from a source already among the witnesses is a duplicate and changes
nothing; the first witness inserts the event; a later one is kept in `witnesses`, and the stored
event becomes the merge of all witnesses (`app/event/witnesses.py`). Each witness adds outbox rows for
the destinations that take it, due `witness_wait_seconds` after the order was first received, so that
every witness known by then is in what is delivered, whichever arrived first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson

from adapters.times import format_time, parse_time
from app.event.witnesses import Witness, merge_witnesses
from app.storage.base import INSERT_EVENT, INSERT_INPUT, INSERT_REJECTION, Router, input_row
from app.storage.outbox import INSERT_OUTBOX, user_key
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StoreResult

if TYPE_CHECKING:
    from app.storage.base import SqlStorage

INSERT_WITNESS = ("INSERT INTO witnesses (event_id, source_id, event_seq, kind, received_at, body) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, source_id) DO NOTHING")
SELECT_WITNESSES = "SELECT source_id, kind, body, event_seq FROM witnesses WHERE event_id = ?"
# The stored event becomes the merge; its source column follows the merged source unless another row
# already holds that (source, id) pair (one kept from before the source had a site).
UPDATE_MERGED = (
    "UPDATE events SET body = ?, occurred_at = ?, received_at = ?, anonymous_id = ?, member_id = ?, email = ?, "
    "source_id = CASE WHEN EXISTS (SELECT 1 FROM events other WHERE other.source_id = ? AND other.event_id = ? "
    "AND other.seq <> ?) THEN source_id ELSE ? END WHERE seq = ?")


def store_with_witnesses(storage: SqlStorage, source_input: InputRecord | None, events: Sequence[EventRecord],
                         rejections: Sequence[RejectionRecord], route: Router | None,
                         wait_seconds: float) -> StoreResult:
    """Write the input, its events (witnesses among them) and its rejections in one transaction."""
    sql, stored = storage.sql, set()
    with storage.transaction(write=True) as connection:
        input_id = None
        if source_input is not None:
            values = input_row(source_input, compress=storage.compress_bodies)
            input_id = int(connection.execute(sql(INSERT_INPUT + " RETURNING id"), values).fetchone()[0])
        for index, record in enumerate(events):
            if record.witness_kind is None:
                new = _insert_event(storage, connection, record, input_id, route)
            else:
                new = _add_witness(storage, connection, record, input_id, route, timedelta(seconds=wait_seconds))
            if new:
                stored.add(index)
        rejection_ids = tuple(int(connection.execute(sql(INSERT_REJECTION), (r.received_at, input_id, *r.row()[1:]))
                                  .fetchone()[0]) for r in rejections)
    return StoreResult(input_id=input_id, stored=frozenset(stored), rejection_ids=rejection_ids)


def _insert_event(storage: SqlStorage, connection: Any, record: EventRecord, input_id: int | None,
                  route: Router | None, due: str | None = None) -> int | None:
    """The event's new row and its outbox rows (due at `due`, else at once); None for a duplicate."""
    row = connection.execute(storage.sql(INSERT_EVENT + " RETURNING seq"), record.row(input_id)).fetchone()
    if row is None:
        return None
    seq = int(row[0])
    _queue(storage, connection, seq, record.event, record.event, route, due)
    return seq


def _add_witness(storage: SqlStorage, connection: Any, record: EventRecord, input_id: int | None,
                 route: Router | None, wait: timedelta) -> bool:
    """Keep one witness of an order event; whether it was the first (the event stored now)."""
    event, sql = record.event, storage.sql
    event_id, source_id, kind = event["id"], event["source"]["id"], str(record.witness_kind)
    storage.lock_witnessed(connection, event_id)
    rows = connection.execute(sql(SELECT_WITNESSES), (event_id,)).fetchall()
    if any(row[0] == source_id for row in rows):
        return False  # this source's witness again (a retry, a redelivery): the first one stays
    if not rows:
        due = format_time(parse_time(event["receivedAt"]) + wait)
        seq = _insert_event(storage, connection, record, input_id, route, due)
        if seq is None:
            return False  # the same (source, id) stored before the source had a site: a duplicate as ever
        connection.execute(sql(INSERT_WITNESS), (event_id, source_id, seq, kind, event["receivedAt"],
                                                 record.encoded.decode()))
        return True
    seq = int(rows[0][3])
    witnesses = [Witness(row[0], row[1], orjson.loads(row[2])) for row in rows]
    merged = merge_witnesses([*witnesses, Witness(source_id, kind, event)])
    user = merged.get("user") or {}
    merged_source = merged["source"]["id"]
    connection.execute(sql(UPDATE_MERGED), (
        orjson.dumps(merged).decode(), merged["occurredAt"], merged["receivedAt"], user.get("anonymousId"),
        user.get("memberId"), user.get("email"), merged_source, event_id, seq, merged_source, seq))
    connection.execute(sql(INSERT_WITNESS), (event_id, source_id, seq, kind, event["receivedAt"],
                                             record.encoded.decode()))
    # The rows still waiting follow the merged event's user (a member id may have come with this witness).
    connection.execute(sql("UPDATE outbox SET user_key = ? WHERE event_seq = ? AND status = 'pending'"),
                       (user_key(merged), seq))
    _queue(storage, connection, seq, event, merged, route, format_time(parse_time(merged["receivedAt"]) + wait))
    return False


def _queue(storage: SqlStorage, connection: Any, seq: int, routed: dict[str, Any], stored: dict[str, Any],
           route: Router | None, due: str | None) -> None:
    """Outbox rows for the destinations that take `routed` (those it already has are left as they are)."""
    destinations = route(routed) if route is not None else ()
    if not destinations:
        return
    now = routed["receivedAt"]
    storage.executemany(connection, storage.sql(INSERT_OUTBOX),
                        [(seq, destination, due or now, now, now, user_key(stored)) for destination in destinations])
