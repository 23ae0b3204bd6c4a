"""Console fixtures: a gateway with a GTM source and a webhook destination, signing in, and a real Chromium."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.gateway import ADMIN_TOKEN, base_config
from tests.support.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
GTM_WRITE_KEY = "wk_gtm_console_0123456789abcdef"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_config(database: Path, receiver_url: str) -> dict[str, Any]:
    """The test gateway plus a GTM source and a webhook destination for Purchase events.

    It keeps the raw request of accepted inputs too, as while debugging a source, so that an event's
    page can show what was received (tests of the default say so where they make their own app).
    """
    config = base_config(database)
    config["storage"]["keep_accepted_inputs"] = True
    config["sources"].append({"id": "gtm", "adapter": "gtm", "write_key": GTM_WRITE_KEY, "title": "Shop website"})
    config["destinations"] = [{"id": "crm", "type": "webhook", "title": "CRM webhook", "url": receiver_url + "/in",
                               "events": ["Purchase"]}]
    return config


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A destination that refuses (410 Gone) until a test tells it otherwise."""
    server = Receiver(default_status=410)
    yield server
    server.close()


@pytest.fixture
def config(tmp_path: Path, receiver: Receiver) -> dict[str, Any]:
    return console_config(tmp_path / "console.db", receiver.url)


def csrf_of(html: str) -> str:
    """The CSRF token a console page carries in its forms."""
    found = CSRF_FIELD.search(html)
    assert found, "the page has no CSRF field"
    return found[1]


def sign_in(client: FlaskClient, token: str = ADMIN_TOKEN) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    form = client.get("/console/login")
    response = client.post("/console/login", data={"token": token, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console/checker").text)


@dataclass
class Console:
    """A browser signed in to the console: its client and the CSRF token of its session."""

    client: FlaskClient
    csrf: str

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """A form POST carrying the CSRF token, as the console's pages send it."""
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


@pytest.fixture
def console(client: FlaskClient) -> Console:
    return Console(client, sign_in(client))


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed by scripts/ensure-chromium when it is missing."""
    subprocess.run([str(ROOT / "scripts" / "ensure-chromium")], check=True)
    assert CHROMIUM.exists()
    return CHROMIUM
