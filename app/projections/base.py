"""What a projection is: a name, the tables it owns, and how it applies a batch of stored events."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from app.storage.base import SqlStorage


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A canonical event as stored, with its row's sequence number."""

    seq: int
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredWitness:
    """One source's account of an order event (the witnesses table): its own seq, its event's, the event it told."""

    seq: int
    event_seq: int
    source_id: str
    kind: str
    event: dict[str, Any]


class Database:
    """A connection inside a transaction, speaking the storage's parameter style."""

    def __init__(self, storage: SqlStorage, connection: Any) -> None:
        self.storage = storage
        self.connection = connection
        self.postgres = storage.paramstyle != "?"

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (written with `?` placeholders); the cursor."""
        return self.connection.execute(self.storage.sql(statement), tuple(params))

    def one(self, statement: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        row = self.execute(statement, params).fetchone()
        return None if row is None else tuple(row)

    def all(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a query."""
        return [tuple(row) for row in self.execute(statement, params).fetchall()]


class Projection(abc.ABC):
    """A consumer of the events: `apply` runs in the transaction that moves its cursor, so a batch counts once."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    """The tables it owns, emptied by a rebuild."""

    follows_witnesses: ClassVar[bool] = False
    """Whether it also reads the witnesses table: a later witness of an order is merged into its event's row in
    place, which a projection following the events by seq never sees (docs/witnesses.md)."""

    @abc.abstractmethod
    def apply(self, db: Database, events: Sequence[StoredEvent]) -> None:
        """Update the projection's tables with these events (in commit order); idempotent on a replay."""

    def apply_witnesses(self, db: Database, witnesses: Sequence[StoredWitness]) -> None:
        """Update the tables with these witnesses (in commit order), each of an event already applied."""
        raise NotImplementedError(f"projection {self.name!r} follows witnesses: it implements apply_witnesses")
