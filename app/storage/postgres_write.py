"""PostgreSQL's write of one input as a single statement: one round trip and one commit per request.

Data-modifying CTEs insert the input, its new events (ON CONFLICT: duplicates skipped), their outbox
rows and its rejections together; in autocommit the statement is its own transaction. Against the
five round trips of BEGIN / INSERT ... / COMMIT this halves the time of a single-event ingest.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import orjson

from app.storage.base import Router, input_row
from app.storage.outbox import user_key
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StoreResult

EVENT_FIELDS = ("source_id", "event_id", "name", "occurred_at", "received_at", "anonymous_id", "member_id",
                "email", "body")
OUTBOX_FIELDS = ("source_id", "event_id", "destination", "at", "user_key")
REJECTION_FIELDS = ("received_at", "source_id", "adapter", "endpoint", "status", "reason", "problems",
                    "event_index", "event_body")

# The rows travel as three JSON arrays: one parameter each, encoded by orjson, instead of
# two dozen SQL arrays that psycopg would encode element by element in Python.
_NEW_INPUT = """
WITH new_input AS (
    INSERT INTO inputs (received_at, source_id, adapter, endpoint, method, path, query, headers, body,
                        body_encoding, body_size, remote_addr)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    RETURNING id
)"""
# An input that is not kept: one row whose id is NULL, so that the rest of the statement is the same.
_NO_INPUT = """
WITH new_input AS (SELECT NULL::bigint AS id)"""
_EVENTS_OUTBOX_REJECTIONS = """, new_events AS (
    INSERT INTO events (source_id, event_id, name, occurred_at, received_at, anonymous_id, member_id, email,
                        input_id, body)
    SELECT e.source_id, e.event_id, e.name, e.occurred_at, e.received_at, e.anonymous_id, e.member_id, e.email,
           new_input.id, e.body
    FROM new_input, ROWS FROM (json_to_recordset(%s::json)
         AS (source_id text, event_id text, name text, occurred_at text, received_at text, anonymous_id text,
             member_id text, email text, body text)) WITH ORDINALITY
         AS e(source_id, event_id, name, occurred_at, received_at, anonymous_id, member_id, email, body, ord)
    ORDER BY e.ord
    ON CONFLICT (source_id, event_id) DO NOTHING
    RETURNING seq, source_id, event_id
), new_outbox AS (
    INSERT INTO outbox (event_seq, destination, next_attempt_at, created_at, updated_at, user_key)
    SELECT n.seq, r.destination, r.at, r.at, r.at, r.user_key
    FROM new_events n
    JOIN json_to_recordset(%s::json) AS r(source_id text, event_id text, destination text, at text, user_key text)
      ON r.source_id = n.source_id AND r.event_id = n.event_id
    ON CONFLICT (event_seq, destination) DO NOTHING
), new_rejections AS (
    INSERT INTO rejections (received_at, input_id, source_id, adapter, endpoint, status, reason, problems,
                            event_index, event_body)
    SELECT j.received_at, new_input.id, j.source_id, j.adapter, j.endpoint, j.status, j.reason, j.problems,
           j.event_index, decode(j.event_body, 'base64')
    FROM new_input, ROWS FROM (json_to_recordset(%s::json)
         AS (received_at text, source_id text, adapter text, endpoint text, status integer, reason text,
             problems text, event_index integer, event_body text)) WITH ORDINALITY
         AS j(received_at, source_id, adapter, endpoint, status, reason, problems, event_index, event_body, ord)
    ORDER BY j.ord
    RETURNING id
)
SELECT 'input', id, NULL, NULL FROM new_input
UNION ALL SELECT 'event', seq, source_id, event_id FROM new_events
UNION ALL SELECT 'rejection', id, NULL, NULL FROM new_rejections
"""
STORE_INPUT = _NEW_INPUT + _EVENTS_OUTBOX_REJECTIONS
STORE_WITHOUT_INPUT = _NO_INPUT + _EVENTS_OUTBOX_REJECTIONS


def as_json_rows(fields: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as a JSON array of objects keyed by `fields` (what json_to_recordset reads)."""
    return orjson.dumps([dict(zip(fields, row, strict=True)) for row in rows]).decode()


def store_statement(source_input: InputRecord | None) -> str:
    """The statement that writes this input (or, when it is not kept, only what came of it)."""
    return STORE_INPUT if source_input is not None else STORE_WITHOUT_INPUT


def store_parameters(source_input: InputRecord | None, events: Sequence[EventRecord],
                     rejections: Sequence[RejectionRecord], route: Router | None) -> list[Any]:
    """The statement's parameters: the input's values (if kept), then its events, outbox rows and rejections as JSON."""
    # row() with a placeholder input id: the statement takes the id from new_input.
    event_rows = [(*row[:8], row[9]) for row in (record.row(0) for record in events)]
    outbox_rows: list[tuple[Any, ...]] = []
    if route is not None:
        seen: set[tuple[str, str]] = set()
        for record in events:
            event = record.event
            key = (event["source"]["id"], event["id"])
            if key in seen:  # a later copy of an id in the same write is a duplicate: it gets no rows
                continue
            seen.add(key)
            outbox_rows.extend((*key, destination, event["receivedAt"], user_key(event))
                               for destination in route(event))
    rejection_rows = [(*r.row()[:-1], None if r.event_body is None else base64.b64encode(r.event_body).decode())
                      for r in rejections]
    rows = [as_json_rows(EVENT_FIELDS, event_rows), as_json_rows(OUTBOX_FIELDS, outbox_rows),
            as_json_rows(REJECTION_FIELDS, rejection_rows)]
    if source_input is None:
        return rows
    return [*input_row(source_input, compress=False), *rows]


def store_result(rows: Sequence[Sequence[Any]], events: Sequence[EventRecord]) -> StoreResult:
    """Which events were new (the first copy of each id), from the statement's rows."""
    input_id = next((int(row[1]) for row in rows if row[0] == "input" and row[1] is not None), None)
    inserted = {(row[2], row[3]) for row in rows if row[0] == "event"}
    stored: set[int] = set()
    for index, record in enumerate(events):
        key = (record.event["source"]["id"], record.event["id"])
        if key in inserted:
            inserted.discard(key)
            stored.add(index)
    rejection_ids = tuple(sorted(int(row[1]) for row in rows if row[0] == "rejection"))
    return StoreResult(input_id=input_id, stored=frozenset(stored), rejection_ids=rejection_ids)
