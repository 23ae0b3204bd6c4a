"""Versioned schema migrations (yoyo): applied under a lock, so every instance may run them."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from yoyo import get_backend, read_migrations


def engine_of(url: str) -> str:
    """`sqlite` or `postgresql`, from a database URL."""
    return "sqlite" if url.startswith("sqlite:") else "postgresql"


def _yoyo_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _migrations_dir(url: str) -> str:
    return str(Path(str(resources.files("app"))) / "storage" / "migrations" / engine_of(url))


def pending_migrations(url: str) -> list[str]:
    """Ids of the migrations not yet applied (all of them for a SQLite file that is not there: none is made)."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        # Asking must not create the file: a worker started while the database was deleted would make an empty
        # one where the gateway's file was, and the gateway would report it replaced rather than deleted.
        return [m.id for m in read_migrations(_migrations_dir(url))]
    backend = get_backend(_yoyo_url(url))
    try:
        return [m.id for m in backend.to_apply(read_migrations(_migrations_dir(url)))]
    finally:
        backend.connection.close()


def upgrade(url: str) -> list[str]:
    """Apply every pending migration; returns the ids applied (none when up to date)."""
    with _sqlite_file_lock(url):
        backend = get_backend(_yoyo_url(url))
        try:
            migrations = read_migrations(_migrations_dir(url))
            with backend.lock():
                todo = backend.to_apply(migrations)
                backend.apply_migrations(todo)
            return [m.id for m in todo]
        finally:
            backend.connection.close()


@contextmanager
def _sqlite_file_lock(url: str) -> Iterator[None]:
    """For SQLite, a file lock around yoyo's: its lock row trips over SQLite's table locks when contended."""
    if not url.startswith("sqlite:///"):
        yield
        return
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(f"{path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
