"""The outbox: one row per (event, destination), claimed by delivery workers under a lease.

A row is `pending` (due at `next_attempt_at`), `inflight` (claimed until `lease_until` by the claim
named in `lease_owner`; its worker renews the lease while sending, and a worker that died leaves it
to be claimed again when the lease ends), `delivered`, or `dead` (a dead letter, with its last
error, replayable). Only the claim that holds a row renews or finishes it: a worker that lost its
lease (paused longer than the lease) cannot overwrite what the worker that took the row over records.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from adapters.base import Event

INSERT_OUTBOX = (
    "INSERT INTO outbox (event_seq, destination, next_attempt_at, created_at, updated_at, user_key) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_seq, destination) DO NOTHING"
)
# A user's row waits while an earlier row of the same user for the same destination is undelivered.
IN_ORDER_CONDITION = ("(o.user_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.destination = o.destination "
             "AND p.user_key = o.user_key AND p.id < o.id AND p.status IN ('pending', 'inflight')))")
# Due rows, each kind read along the index outbox_due (destination, status, next_attempt_at, id) and
# stopping at the limit: one condition OR-ing both statuses read every row of the destination,
# the delivered ones kept forever included, at every claim. Parameters: destination, now, limit.
_DUE_KINDS = (("o.status = 'inflight' AND o.lease_until < ?", "o.id"),  # leases of workers that died
              ("o.status = 'pending' AND o.next_attempt_at <= ?", "o.next_attempt_at, o.id"))


def due_selects(ordered: bool) -> list[str]:
    """The statements selecting a destination's due rows: leases run out first, then the earliest due."""
    order = f" AND {IN_ORDER_CONDITION}" if ordered else ""
    return [f"SELECT o.id FROM outbox o WHERE o.destination = ? AND {condition}{order} ORDER BY {sort} LIMIT ?"
            for condition, sort in _DUE_KINDS]
STATUSES = ("pending", "inflight", "delivered", "dead")
FINAL_STATUSES = ("delivered", "dead")
OPEN_STATUSES = ("pending", "inflight", "dead")
"""The statuses /metrics counts rows of: bounded by the backlog and the dead letters' retention."""
# Each destination in the outbox, read along outbox_due (destination first) one step per destination
# rather than over every row (a "loose index scan"), then each status counted along the same index.
_OPEN_COUNTS = (
    "WITH RECURSIVE d(name) AS (SELECT min(destination) FROM outbox UNION ALL "
    "SELECT (SELECT min(destination) FROM outbox WHERE destination > d.name) FROM d WHERE d.name IS NOT NULL), "
    "s(status) AS (" + " UNION ALL ".join(f"SELECT '{status}'" for status in OPEN_STATUSES) + ") "
    "SELECT d.name, s.status, (SELECT count(*) FROM outbox o WHERE o.destination = d.name AND o.status = s.status) "
    "FROM d, s WHERE d.name IS NOT NULL")


@dataclass(frozen=True)
class Claimed:
    """An outbox row a worker holds: the event to deliver and how often it was tried."""

    outbox_id: int
    event_seq: int
    attempts: int
    created_at: str
    event: Event
    lease: str
    """The claim that holds the row (renewing and finishing it need the same claim)."""


@dataclass(frozen=True)
class DeliveryOutcome:
    """What became of one claimed row."""

    outbox_id: int
    status: str
    attempts: int
    next_attempt_at: str | None = None
    error: str | None = None
    note: str | None = None
    lease: str | None = None
    """The claim it finishes: the row is left alone when another claim holds it now (None: whoever holds it)."""


def user_key(event: Event) -> str | None:
    """Who the event is about, for ordering per user: the member id, else the e-mail, else the anonymous id."""
    user = event.get("user") or {}
    for key in ("memberId", "email", "anonymousId"):
        if user.get(key):
            return f"{key}:{user[key]}"
    return None


class OutboxStore:
    """Outbox operations on top of an engine's `transaction()` and `sql()` (mixed into SqlStorage)."""

    def transaction(self, write: bool = False) -> Any:  # provided by the engine
        raise NotImplementedError

    def sql(self, text: str) -> str:  # provided by the engine
        raise NotImplementedError

    def executemany(self, connection: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def executemany_returning(self, connection: Any, statement: str,
                              rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Run `statement` (with RETURNING) once per row; every row it returned."""
        returned: list[tuple[Any, ...]] = []
        for row in rows:
            returned.extend(connection.execute(statement, row).fetchall())
        return returned

    def claim(self, destination: str, now: str, lease_until: str, limit: int, ordered: bool) -> list[Claimed]:
        """Take up to `limit` due rows of a destination, oldest first, under a new lease of their own."""
        lease = secrets.token_hex(8)
        with self.transaction(write=True) as connection:
            ids = self._claim_ids(connection, destination, now, lease_until, limit, ordered, lease)
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            rows = connection.execute(self.sql(
                f"SELECT o.id, o.event_seq, o.attempts, o.created_at, e.body FROM outbox o "
                f"JOIN events e ON e.seq = o.event_seq WHERE o.id IN ({marks}) ORDER BY o.id"), ids).fetchall()
        return [Claimed(int(r[0]), int(r[1]), int(r[2]), r[3], orjson.loads(r[4]), lease) for r in rows]

    def _claim_ids(self, connection: Any, destination: str, now: str, lease_until: str, limit: int,
                   ordered: bool, lease: str) -> list[int]:
        """SQLite: the whole database is locked by the write transaction, so select then mark."""
        ids: list[int] = []
        for due in due_selects(ordered):
            if len(ids) < limit:
                ids += [int(row[0]) for row in connection.execute(self.sql(due), (destination, now, limit - len(ids)))]
        if ids:
            marks = ", ".join("?" * len(ids))
            connection.execute(self.sql(
                "UPDATE outbox SET status = 'inflight', lease_until = ?, lease_owner = ?, updated_at = ? "
                f"WHERE id IN ({marks})"), (lease_until, lease, now, *ids))
        return ids

    def renew(self, leases: Sequence[str], lease_until: str, now: str) -> int:
        """Extend the leases of the rows these claims still hold; returns how many rows."""
        if not leases:
            return 0
        marks = ", ".join("?" * len(leases))
        with self.transaction(write=True) as connection:
            cursor = connection.execute(self.sql(
                f"UPDATE outbox SET lease_until = ?, updated_at = ? WHERE lease_owner IN ({marks}) "
                "AND status = 'inflight'"), (lease_until, now, *leases))
            return int(cursor.rowcount)

    def release(self, lease: str, now: str) -> int:
        """Give back the rows a claim holds and did not send (a worker stopping), due at once; how many."""
        with self.transaction(write=True) as connection:
            cursor = connection.execute(self.sql(
                "UPDATE outbox SET status = 'pending', lease_until = NULL, lease_owner = NULL, updated_at = ? "
                "WHERE lease_owner = ? AND status = 'inflight'"), (now, lease))
            return int(cursor.rowcount)

    def finish(self, outcomes: Sequence[DeliveryOutcome], now: str) -> None:
        """Record what became of claimed rows (those another claim took over meanwhile are left to it)."""
        if not outcomes:
            return
        with self.transaction(write=True) as connection:
            self._finish(connection, outcomes, now)

    def _finish(self, connection: Any, outcomes: Sequence[DeliveryOutcome], now: str) -> None:
        updated = self.executemany_returning(connection, self.sql(
            "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = COALESCE(?, next_attempt_at), "
            "last_error = ?, note = COALESCE(?, note), lease_until = NULL, lease_owner = NULL, updated_at = ?, "
            "delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END "
            "WHERE id = ? AND (CAST(? AS TEXT) IS NULL OR lease_owner = ?) RETURNING destination, status"),
            [(o.status, o.attempts, o.next_attempt_at, o.error, o.note, now, o.status, now, o.outbox_id,
              o.lease, o.lease) for o in outcomes])
        # Counted from the rows actually updated: a row another claim took over is counted by that claim.
        totals = Counter((str(d), str(s)) for d, s in updated if s in FINAL_STATUSES)
        if totals:
            self.executemany(connection, self.sql(
                "INSERT INTO delivery_totals (destination, outcome, total) VALUES (?, ?, ?) "
                "ON CONFLICT (destination, outcome) DO UPDATE SET total = delivery_totals.total + excluded.total"),
                [(destination, outcome, count) for (destination, outcome), count in sorted(totals.items())])

    def replace_event(self, outcome: DeliveryOutcome, event_seq: int, event: Event | None,
                      destinations: Sequence[str], now: str) -> None:
        """Finish an enrichment row: store the completed event and queue it for its destinations, at once."""
        with self.transaction(write=True) as connection:
            if event is not None:
                body = orjson.dumps(event).decode()
                connection.execute(self.sql("UPDATE events SET body = ? WHERE seq = ?"), (body, event_seq))
                # An order event of a site: the completed event is its source's account from now on, so
                # that merging a later witness keeps what the enrichment added (docs/witnesses.md).
                connection.execute(self.sql("UPDATE witnesses SET body = ? WHERE event_seq = ? AND source_id = ?"),
                                   (body, event_seq, (event.get("source") or {}).get("id")))
            if destinations:
                stored = event or orjson.loads(connection.execute(
                    self.sql("SELECT body FROM events WHERE seq = ?"), (event_seq,)).fetchone()[0])
                key = user_key(stored)
                self.executemany(connection, self.sql(INSERT_OUTBOX),
                                 [(event_seq, destination, now, now, now, key) for destination in destinations])
            self._finish(connection, [outcome], now)

    def delivery_counts(self) -> dict[str, dict[str, int]]:
        """Rows per destination and status."""
        with self.transaction() as connection:
            rows = connection.execute("SELECT destination, status, count(*) FROM outbox GROUP BY destination, status"
                                      ).fetchall()
        counts: dict[str, dict[str, int]] = {}
        for destination, status, count in rows:
            counts.setdefault(destination, dict.fromkeys(STATUSES, 0))[status] = int(count)
        return counts

    def open_counts(self) -> dict[str, dict[str, int]]:
        """Pending, in-flight and dead rows per destination, without reading the delivered ones."""
        with self.transaction() as connection:
            rows = connection.execute(_OPEN_COUNTS).fetchall()
        counts: dict[str, dict[str, int]] = {}
        for destination, status, count in rows:
            counts.setdefault(destination, {})[status] = int(count)
        return counts

    def delivery_totals(self) -> dict[str, dict[str, int]]:
        """Deliveries finished per destination and outcome (delivered, dead), purged rows included."""
        with self.transaction() as connection:
            rows = connection.execute("SELECT destination, outcome, total FROM delivery_totals").fetchall()
        totals: dict[str, dict[str, int]] = {}
        for destination, outcome, total in rows:
            totals.setdefault(destination, dict.fromkeys(FINAL_STATUSES, 0))[outcome] = int(total)
        return totals

    def deliveries(self, destination: str | None = None, status: str | None = None, before: int | None = None,
                   limit: int = 50) -> list[dict[str, Any]]:
        """Outbox rows, newest first, with the event's id and name."""
        clauses, params = [], []
        for column, value, operator in (("o.destination", destination, "="), ("o.status", status, "="),
                                        ("o.id", before, "<")):
            if value is not None:
                clauses.append(f"{column} {operator} ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        statement = ("SELECT o.id, o.destination, o.status, o.attempts, o.next_attempt_at, o.last_error, o.note, "
                     "o.created_at, o.updated_at, o.delivered_at, e.source_id, e.event_id, e.name, e.seq "
                     f"FROM outbox o JOIN events e ON e.seq = o.event_seq {where} ORDER BY o.id DESC LIMIT ?")
        with self.transaction() as connection:
            rows = connection.execute(self.sql(statement), (*params, limit)).fetchall()
        keys = ("id", "destination", "status", "attempts", "nextAttemptAt", "lastError", "note", "createdAt",
                "updatedAt", "deliveredAt", "sourceId", "eventId", "eventName", "eventSeq")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def requeue(self, now: str, destination: str | None = None, dead_only: bool = True, since: str | None = None,
                until: str | None = None, event_ids: Sequence[str] = (), outbox_ids: Sequence[int] = ()) -> int:
        """Queue rows again (dead letters only, by default); returns how many."""
        where, params = self._replay_filter(destination, dead_only, since, until, event_ids, outbox_ids)
        statement = ("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, "
                     f"lease_until = NULL, lease_owner = NULL WHERE id IN (SELECT o.id FROM outbox o WHERE {where})")
        with self.transaction(write=True) as connection:
            cursor = connection.execute(self.sql(statement), (now, now, *params))
            return int(cursor.rowcount)

    def replayable_ids(self, destination: str | None = None, dead_only: bool = True, since: str | None = None,
                       until: str | None = None, event_ids: Sequence[str] = ()) -> list[int]:
        """The rows `requeue` would queue with these filters, oldest first."""
        where, params = self._replay_filter(destination, dead_only, since, until, event_ids, ())
        with self.transaction() as connection:
            rows = connection.execute(self.sql(f"SELECT o.id FROM outbox o WHERE {where} ORDER BY o.id"),
                                      params).fetchall()
        return [int(row[0]) for row in rows]

    @staticmethod
    def _replay_filter(destination: str | None, dead_only: bool, since: str | None, until: str | None,
                       event_ids: Sequence[str], outbox_ids: Sequence[int]) -> tuple[str, list[Any]]:
        clauses = ["o.status = 'dead'" if dead_only else "o.status IN ('dead', 'delivered')"]
        params: list[Any] = []
        for clause, value in (("o.destination = ?", destination), ("o.created_at >= ?", since),
                              ("o.created_at < ?", until)):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        if event_ids:
            marks = ", ".join("?" * len(event_ids))
            clauses.append(f"o.event_seq IN (SELECT seq FROM events WHERE event_id IN ({marks}))")
            params.extend(event_ids)
        if outbox_ids:
            clauses.append(f"o.id IN ({', '.join('?' * len(outbox_ids))})")
            params.extend(outbox_ids)
        return " AND ".join(clauses), params
