"""What /readyz and the write path say when PostgreSQL cannot take writes: read-only, or a lock held too long."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask.testing import FlaskClient

from app import create_app
from tests.support.gateway import WRITE, base_config, build_app
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.timeout(60)


def client_on(database: str, tmp_path: Path, **storage: object) -> FlaskClient:
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database, **storage}
    return build_app(config).test_client()


def assert_503(answer: object) -> None:
    assert answer.status_code == 503  # type: ignore[attr-defined]
    assert answer.headers["Retry-After"] == "1"  # type: ignore[attr-defined]


def test_a_read_only_database_is_not_ready_and_refuses_writes_with_503(postgres_url: str, tmp_path: Path) -> None:
    database = fresh_database(postgres_url)
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database}
    assert build_app(config).test_client().get("/readyz").status_code == 200  # migrated, and ready
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # what a hot standby says of every transaction
        admin.execute(f'ALTER DATABASE "{database.rsplit("/", 1)[1]}" SET default_transaction_read_only = on')
    client = create_app(config).test_client()  # new sessions see it
    answer = client.get("/readyz")
    assert (answer.status_code, answer.get_json()["reason"]) == (503, "read-only")
    assert_503(client.post("/v1/events", json={"id": "ro-1", "name": "Lead"}, headers=WRITE))


@contextmanager
def table_locked(database: str) -> Iterator[None]:
    """The events table locked by another session (a migration, an operator) until the block ends."""
    with psycopg.connect(database) as other, other.transaction():
        other.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        yield


def test_a_writer_waits_for_a_lock_no_longer_than_the_busy_timeout(postgres_url: str, tmp_path: Path) -> None:
    database = fresh_database(postgres_url)
    client = client_on(database, tmp_path, busy_timeout_ms=300)
    assert client.post("/v1/events", json={"id": "l-1", "name": "Lead"}, headers=WRITE).status_code == 200
    with table_locked(database):  # held until the request has been answered, however long it took
        assert_503(client.post("/v1/events", json={"id": "l-2", "name": "Lead"}, headers=WRITE))
    assert client.post("/v1/events", json={"id": "l-2", "name": "Lead"}, headers=WRITE).status_code == 200
