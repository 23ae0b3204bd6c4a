"""The sources added while the gateway runs, one row each in the `sources` table (migration 0008)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.base import Adapter
from app.config.model import SourceConfig
from app.sources.validation import source_from_table

if TYPE_CHECKING:  # the storage imports the configuration, whose loader imports this package
    from app.storage import SqlStorage

_COLUMNS = ("id", "adapter", "title", "write_key", "enabled", "rate_limit", "allowed_origins")
_SELECT = ("SELECT id, adapter, title, write_key, enabled, rate_limit, allowed_origins, settings FROM sources "
           "ORDER BY created_at, id")
_UPDATE = ("UPDATE sources SET adapter = ?, title = ?, write_key = ?, enabled = ?, rate_limit = ?, "
           "allowed_origins = ?, settings = ?, updated_at = ? WHERE id = ?")
_INSERT = ("INSERT INTO sources (id, adapter, title, write_key, enabled, rate_limit, allowed_origins, settings, "
           "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class SourceStore:
    """Reads and writes source tables (the keys of a [[sources]] table) and the catalog's version."""

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage

    def version(self) -> int:
        """A number that grows with every change: a worker reloads the rows when it moved."""
        storage = self._storage
        with storage.transaction() as connection:
            row = connection.execute(storage.sql("SELECT version FROM source_catalog")).fetchone()
        return int(row[0]) if row else 0

    def tables(self) -> list[dict[str, Any]]:
        """Every stored source as its [[sources]] table, oldest first."""
        storage = self._storage
        with storage.transaction() as connection:
            rows = connection.execute(storage.sql(_SELECT)).fetchall()
        return [_table(row) for row in rows]

    def put(self, table: Mapping[str, Any]) -> None:
        """Add the source, or replace the one with its id (the caller has validated the table)."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        values = [table.get(column) for column in _COLUMNS]
        values[_COLUMNS.index("enabled")] = int(bool(table.get("enabled", True)))
        values[_COLUMNS.index("title")] = table.get("title") or ""
        values[_COLUMNS.index("allowed_origins")] = json.dumps(list(table.get("allowed_origins") or []))
        settings = json.dumps({k: v for k, v in table.items() if k not in _COLUMNS})
        storage = self._storage
        with storage.transaction(write=True) as connection:
            updated = connection.execute(storage.sql(_UPDATE), (*values[1:], settings, now, values[0])).rowcount
            if not updated:
                connection.execute(storage.sql(_INSERT), (*values, settings, now, now))
            connection.execute(storage.sql("UPDATE source_catalog SET version = version + 1"))

    def save(self, table: dict[str, Any], adapters: Mapping[str, Adapter]) -> SourceConfig:
        """Validate the table as every worker will load it (SourceInvalid if it cannot be used), then put it."""
        source = source_from_table(table, adapters, f"source {table['id']!r}", managed_by="database")
        self.put(table)
        return source

    def delete(self, source_id: str) -> bool:
        """Remove the source; whether there was one. Its stored events and rejections stay."""
        storage = self._storage
        with storage.transaction(write=True) as connection:
            deleted = connection.execute(storage.sql("DELETE FROM sources WHERE id = ?"), (source_id,)).rowcount
            if deleted:
                connection.execute(storage.sql("UPDATE source_catalog SET version = version + 1"))
        return bool(deleted)


def _table(row: Any) -> dict[str, Any]:
    table: dict[str, Any] = dict(zip(_COLUMNS, row[:len(_COLUMNS)], strict=True))
    table["enabled"] = bool(table["enabled"])
    table["allowed_origins"] = json.loads(table["allowed_origins"])
    table.update(json.loads(row[len(_COLUMNS)]))
    return {k: v for k, v in table.items() if v is not None}
