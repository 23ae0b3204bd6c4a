"""API fuzzing with schemathesis against the served OpenAPI document: no 5xx, no undocumented answer."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from app.storage.records import RejectionQuery
from tests.support.gateway import ADMIN_TOKEN, WRITE_KEY, base_config, build_app
from tests.support.stored import count_stored_events

# schemathesis.toml reads the credentials of each security scheme from these variables.
os.environ["TAGWAY_FUZZ_WRITE_KEY"] = WRITE_KEY
os.environ["TAGWAY_FUZZ_ADMIN_TOKEN"] = ADMIN_TOKEN
os.environ["TAGWAY_FUZZ_BROWSER_KEY"] = BROWSER_KEY = "wk_fuzz_browser_0123456789"
# Loaded by path: schemathesis would look for it only from the working directory up.
CONFIG = schemathesis.Config.from_path(Path(__file__).resolve().parents[1] / "schemathesis.toml")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

_CONFIG = base_config(Path(tempfile.mkdtemp(prefix="tagway-fuzz-")) / "fuzz.db")
# A GTM source, so that /v1/collect is fuzzed past its key with the protocol its OpenAPI entry describes.
_CONFIG["sources"].append({"id": "browser", "adapter": "gtm", "write_key": BROWSER_KEY})
# The fuzzing sends many wrong admin tokens: the lockout (tested in tests/console/test_lockout.py) would answer
# every admin operation 429 and leave them unfuzzed.
_CONFIG["admin"] = {**_CONFIG["admin"], "lockout_failures": 10_000, "lockout_seconds": 1}
APP = build_app(_CONFIG)
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@FUZZ
def test_every_operation_answers_as_documented(case: Any) -> None:
    case.call_and_validate()


def test_the_fuzzed_events_get_past_authentication(tmp_path: Path) -> None:
    """With the configured credentials, fuzzed events are stored and refused on their merits, not only with 401s."""
    app = build_app(base_config(tmp_path / "fuzz.db"))
    operation = schemathesis.openapi.from_wsgi("/v1/openapi.json", app, config=CONFIG)["/v1/events"]["POST"]

    @given(case=operation.as_strategy())
    @FUZZ
    def send(case: Any) -> None:
        case.call_and_validate()

    send()
    storage = app.extensions["tagway"].storage
    assert count_stored_events(storage) > 0
    reasons = {row["reason"] for row in storage.list_rejections(RejectionQuery(limit=500))}
    assert reasons - {"auth"}, reasons
