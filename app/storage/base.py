"""SQL shared by every engine: one transaction per input, dedup on (source, event id)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import orjson

from app.storage.body_codec import decode_body, encode_body
from app.storage.outbox import OutboxStore
from app.storage.readiness import SchemaGate
from app.storage.records import (
    EventQuery,
    EventRecord,
    InputRecord,
    RejectionQuery,
    RejectionRecord,
    StoreResult,
)

Router = Callable[[dict[str, Any]], Sequence[str]]
"""Names of the destinations an event goes to (one outbox row each)."""

INSERT_INPUT = (
    "INSERT INTO inputs (received_at, source_id, adapter, endpoint, method, path, query, headers, body, "
    "body_encoding, body_size, remote_addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_EVENT = (
    "INSERT INTO events (source_id, event_id, name, occurred_at, received_at, anonymous_id, member_id, "
    "email, input_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (source_id, event_id) DO NOTHING"
)
INSERT_REJECTION = (
    "INSERT INTO rejections (received_at, input_id, source_id, adapter, endpoint, status, reason, problems, "
    "event_index, event_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_REJECTION_COLUMNS = ("r.id, r.received_at, r.input_id, r.source_id, r.adapter, r.endpoint, r.status, r.reason, "
                      "r.problems, r.event_index, r.event_body, r.replayed_at, r.replay_result")
_INPUT_COLUMNS = ("id, received_at, source_id, adapter, endpoint, method, path, query, headers, body, body_size, "
                  "remote_addr, body_encoding")


class SqlStorage(OutboxStore, abc.ABC):
    """Storage over a DB-API connection; engines provide connections and their paramstyle."""

    paramstyle = "?"
    schema: SchemaGate
    """Checks, once per process, that no migration is pending before the first write."""
    skip_locked = ""
    """What a SELECT of rows to delete ends with, so that concurrent purges skip each other's rows."""

    @abc.abstractmethod
    def transaction(self, write: bool = False) -> AbstractContextManager[Any]:
        """A connection inside a transaction, committed on success (raises StorageUnavailable)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release this process's connections."""

    def sql(self, text: str) -> str:
        """The statement in this engine's parameter style."""
        return text if self.paramstyle == "?" else text.replace("?", self.paramstyle)

    def executemany(self, connection: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run `statement` once per row."""
        connection.executemany(statement, rows)

    def truncate_log(self) -> bool:
        """Give back the space of the engine's write-ahead log now if that needs no waiting (done or not)."""
        return True

    # --- writes -----------------------------------------------------------------------------

    compress_bodies = True
    """Whether kept request bodies are compressed before they are written (PostgreSQL compresses its own)."""

    @abc.abstractmethod
    def store(self, source_input: InputRecord | None, events: Sequence[EventRecord],
              rejections: Sequence[RejectionRecord] = (), route: Router | None = None,
              witness_wait_seconds: float = 0.0) -> StoreResult:
        """Write the input (None: not kept), its new events, their outbox rows and its rejections in one transaction.

        Order events of a site (`EventRecord.witness_kind`) are kept as witnesses (app/storage/witnesses.py),
        their deliveries due `witness_wait_seconds` after the order was first received.
        """

    def lock_witnessed(self, connection: Any, event_id: str) -> None:
        """Hold, until the transaction ends, the right to change the witnesses of this event id.

        SQLite needs nothing more: a writing transaction already holds the writers' lock.
        """

    def reject(self, source_input: InputRecord, rejection: RejectionRecord) -> int:
        """Keep a refused input and the reason; returns the rejection id."""
        return self.store(source_input, (), (rejection,)).rejection_ids[0]

    def add_chunk(self, source_id: str, payload_id: str, part: int, parts: int, data: str,
                  received_at: str) -> list[str] | None:
        """Keep one chunk of a collect payload; all chunks in order once the last one is here, else None."""
        with self.transaction(write=True) as connection:
            connection.execute(self.sql(
                "INSERT INTO collect_chunks (source_id, payload_id, part, parts, data, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, payload_id, part) DO NOTHING"),
                (source_id, payload_id, part, parts, data, received_at))
            rows = connection.execute(self.sql(
                "SELECT part, data FROM collect_chunks WHERE source_id = ? AND payload_id = ? AND parts = ? "
                "ORDER BY part"), (source_id, payload_id, parts)).fetchall()
        if [row[0] for row in rows] != list(range(parts)):
            return None
        return [row[1] for row in rows]

    def delete_chunks(self, source_id: str, payload_id: str) -> None:
        """Forget the chunks of a payload once it is ingested."""
        with self.transaction(write=True) as connection:
            connection.execute(self.sql("DELETE FROM collect_chunks WHERE source_id = ? AND payload_id = ?"),
                               (source_id, payload_id))

    def expired_chunks(self, before: str) -> list[dict[str, Any]]:
        """Incomplete chunked payloads whose first chunk arrived before `before`, removed from the store."""
        with self.transaction(write=True) as connection:
            rows = connection.execute(self.sql(
                "SELECT source_id, payload_id, count(*), max(parts), min(received_at) FROM collect_chunks "
                "GROUP BY source_id, payload_id HAVING min(received_at) < ?"), (before,)).fetchall()
            for source_id, payload_id, *_ in rows:
                connection.execute(self.sql("DELETE FROM collect_chunks WHERE source_id = ? AND payload_id = ?"),
                                   (source_id, payload_id))
        return [{"sourceId": r[0], "payloadId": r[1], "received": r[2], "parts": r[3], "firstAt": r[4]} for r in rows]

    def mark_replayed(self, rejection_id: int, when: str, result: str) -> None:
        """Record that a rejection was replayed and how it went."""
        with self.transaction(write=True) as connection:
            connection.execute(self.sql("UPDATE rejections SET replayed_at = ?, replay_result = ? WHERE id = ?"),
                               (when, result, rejection_id))

    # --- reads ------------------------------------------------------------------------------

    @abc.abstractmethod
    def check_ready(self) -> None:
        """Raise NotReady (a StorageUnavailable) unless a write would succeed now; never waits long."""

    def list_events(self, query: EventQuery) -> list[dict[str, Any]]:
        """Stored events, newest first, with their sequence number and input id."""
        clauses, params = _event_filters(query)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        statement = f"SELECT seq, input_id, body FROM events {where} ORDER BY seq DESC LIMIT ?"
        with self.transaction() as connection:
            rows = connection.execute(self.sql(statement), (*params, query.limit)).fetchall()
            witnesses = self._witnesses_of(connection, [row[0] for row in rows])
        items = [{"seq": seq, "inputId": input_id, "event": orjson.loads(body)} for seq, input_id, body in rows]
        for item in items:
            if item["seq"] in witnesses:
                item["witnesses"] = witnesses[item["seq"]]
        return items

    def _witnesses_of(self, connection: Any, seqs: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """The witnesses of these events (order events of a site), first received first, by event."""
        if not seqs:
            return {}
        marks = ", ".join("?" * len(seqs))
        rows = connection.execute(self.sql(
            f"SELECT event_seq, source_id, kind, received_at FROM witnesses WHERE event_seq IN ({marks}) "
            "ORDER BY received_at, source_id"), seqs).fetchall()
        found: dict[int, list[dict[str, Any]]] = {}
        for seq, source_id, kind, received_at in rows:
            found.setdefault(seq, []).append({"sourceId": source_id, "kind": kind, "receivedAt": received_at})
        return found

    def list_rejections(self, query: RejectionQuery) -> list[dict[str, Any]]:
        """Kept rejections, newest first."""
        clauses, params = [], []
        for column, value, operator in (("r.source_id", query.source, "="), ("r.reason", query.reason, "="),
                                        ("r.received_at", query.since, ">="), ("r.received_at", query.until, "<"),
                                        ("r.id", query.before, "<")):
            if value is not None:
                clauses.append(f"{column} {operator} ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        statement = f"SELECT {_REJECTION_COLUMNS} FROM rejections r {where} ORDER BY r.id DESC LIMIT ?"
        with self.transaction() as connection:
            rows = connection.execute(self.sql(statement), (*params, query.limit)).fetchall()
        return [_rejection_dict(row) for row in rows]

    def get_rejection(self, rejection_id: int) -> dict[str, Any] | None:
        """One rejection with its raw input, or None."""
        with self.transaction() as connection:
            row = connection.execute(self.sql(f"SELECT {_REJECTION_COLUMNS} FROM rejections r WHERE r.id = ?"),
                                     (rejection_id,)).fetchone()
            if row is None:
                return None
            rejection = _rejection_dict(row)
            rejection["input"] = self._input(connection, rejection["inputId"])
        return rejection

    def get_input(self, input_id: int) -> dict[str, Any] | None:
        """One raw input, or None."""
        with self.transaction() as connection:
            return self._input(connection, input_id)

    def _input(self, connection: Any, input_id: int | None) -> dict[str, Any] | None:
        if input_id is None:
            return None
        row = connection.execute(self.sql(f"SELECT {_INPUT_COLUMNS} FROM inputs WHERE id = ?"),
                                 (input_id,)).fetchone()
        if row is None:
            return None
        keys = ("id", "receivedAt", "sourceId", "adapter", "endpoint", "method", "path", "query", "headers",
                "body", "bodySize", "remoteAddr")
        record = dict(zip(keys, row[:-1], strict=True))
        record["headers"] = orjson.loads(record["headers"])
        record["body"] = decode_body(bytes(record["body"]), row[-1])
        return record


def input_row(record: InputRecord, compress: bool = True) -> tuple[Any, ...]:
    """The values of INSERT_INPUT, the body compressed when that saves pages (PostgreSQL compresses its own)."""
    body, encoding = encode_body(record.body) if compress else (record.body, None)
    return (record.received_at, record.source_id, record.adapter, record.endpoint, record.method, record.path,
            record.query, orjson.dumps(record.headers).decode(), body, encoding, record.body_size,
            record.remote_addr)


def _event_filters(query: EventQuery) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value, operator in (("source_id", query.source, "="), ("name", query.name, "="),
                                    ("event_id", query.event_id, "="), ("received_at", query.since, ">="),
                                    ("received_at", query.until, "<"), ("seq", query.before, "<")):
        if value is not None:
            clauses.append(f"{column} {operator} ?")
            params.append(value)
    if query.user is not None:
        clauses.append("(anonymous_id = ? OR member_id = ? OR email = ?)")
        params.extend([query.user] * 3)
    return clauses, params


def _rejection_dict(row: Sequence[Any]) -> dict[str, Any]:
    keys = ("id", "receivedAt", "inputId", "sourceId", "adapter", "endpoint", "status", "reason", "problems",
            "eventIndex", "eventBody", "replayedAt", "replayResult")
    record = dict(zip(keys, row, strict=True))
    record["problems"] = orjson.loads(record["problems"])
    if record["eventBody"] is not None:
        record["eventBody"] = bytes(record["eventBody"])
    return record
