"""API fuzzing with schemathesis against the served OpenAPI document: no 5xx, no undocumented answer."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from app.storage.records import RejectionQuery
from tests.support.gateway import ADMIN_TOKEN, WRITE_KEY, base_config, build_app
from tests.support.stored import count_stored_events

# schemathesis.toml reads the credentials of each security scheme from these variables.
os.environ["TAGWAY_FUZZ_WRITE_KEY"] = WRITE_KEY
os.environ["TAGWAY_FUZZ_ADMIN_TOKEN"] = ADMIN_TOKEN
_DATABASE = Path(tempfile.mkdtemp(prefix="tagway-fuzz-")) / "fuzz.db"
APP = build_app(base_config(_DATABASE))
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: Any) -> None:
    case.call_and_validate()


def test_the_fuzzing_got_past_authentication() -> None:
    """Runs after the fuzzing above: it must have stored events, not only met 401s."""
    storage = APP.extensions["tagway"].storage
    assert count_stored_events(storage) > 0
    reasons = {row["reason"] for row in storage.list_rejections(RejectionQuery(limit=500))}
    assert reasons - {"auth"}, reasons
