"""Durable storage of inputs, events, rejections and the outbox."""

from __future__ import annotations

from app.config.model import StorageSettings
from app.storage.base import SqlStorage
from app.storage.postgres import PostgresStorage
from app.storage.readiness import NotReady
from app.storage.records import StorageUnavailable
from app.storage.sqlite import SqliteStorage

__all__ = ["NotReady", "SqlStorage", "StorageUnavailable", "open_storage"]


def open_storage(settings: StorageSettings) -> SqlStorage:
    """The storage engine named by the database URL."""
    if settings.url.startswith("sqlite:"):
        return SqliteStorage(settings.url, settings.sqlite_synchronous, settings.busy_timeout_ms)
    return PostgresStorage(settings.url, lock_timeout_ms=settings.busy_timeout_ms)
