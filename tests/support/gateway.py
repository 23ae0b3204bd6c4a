"""Building gateways for tests: a fresh SQLite file, known secrets, a clock the test controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from adapters.testing import FROZEN_NOW as FROZEN_NOW  # re-exported for the tests
from adapters.testing import Clock, build_gateway_app

WRITE_KEY = "wk_test_0123456789abcdefghij"
OTHER_WRITE_KEY = "wk_test_other_0123456789abc"
ADMIN_TOKEN = "adm_test_0123456789abcdefghij"
SIGNING_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks test-vector secret
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
WRITE = {"Authorization": f"Bearer {WRITE_KEY}"}


def base_config(database: Path) -> dict[str, Any]:
    """A configuration with a browser/API source and a signed canonical webhook source."""
    return {
        "admin": {"token": ADMIN_TOKEN},
        "storage": {"url": f"sqlite:///{database}"},
        "server": {"public_url": "https://gateway.example.com"},
        "sources": [
            {"id": "web", "adapter": "canonical", "write_key": WRITE_KEY, "title": "Website"},
            {"id": "backend", "adapter": "canonical", "write_key": OTHER_WRITE_KEY, "secret": SIGNING_SECRET},
        ],
    }


def build_app(config: dict[str, Any], clock: Clock | None = None) -> Flask:
    """A gateway app on the configuration's database, migrated first (as the contract suite builds one)."""
    app: Flask = build_gateway_app(config, clock)
    return app
