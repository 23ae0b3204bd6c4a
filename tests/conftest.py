"""Fixtures: a fresh gateway per test, on a real SQLite file, with a clock the test controls."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.gateway import Gateway
from tests.support.gateway import Clock, base_config, build_app
from tests.support.postgres import fresh_database, postgres_server
from tests.support.server import free_port

# Switches the test suite itself reads; any other TAGWAY_* variable would configure the gateways under test.
TEST_SWITCHES = frozenset({"TAGWAY_UPDATE_SCREENSHOTS"})


def pytest_configure(config: pytest.Config) -> None:
    """Drop the shell's TAGWAY_* variables for the run (before test modules load), subprocesses included.

    A developer's TAGWAY_STORAGE__URL must never point the tests, or the gateways they start, at another database.
    """
    for name in [name for name in os.environ if name.startswith("TAGWAY_") and name not in TEST_SWITCHES]:
        del os.environ[name]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config(tmp_path: Path) -> dict[str, Any]:
    return base_config(tmp_path / "tagway.db")


@pytest.fixture
def make_app(config: dict[str, Any], clock: Clock) -> Callable[..., Flask]:
    def make(**overrides: Any) -> Flask:
        merged = {**config, **overrides}
        return build_app(merged, clock)
    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def gateway(app: Flask) -> Gateway:
    return app.extensions["tagway"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (started on first use, installed if missing)."""
    with postgres_server(free_port()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each engine: the storage behaviour suite runs against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'engine.db'}"
    return fresh_database(request.getfixturevalue("postgres_url"))
