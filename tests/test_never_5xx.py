"""Property: whatever arrives at an ingestion route, the answer is a documented status below 500, and
every refused input is kept as a rejection."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.storage.records import RejectionQuery
from tests.support.gateway import OTHER_WRITE_KEY, WRITE_KEY

DOCUMENTED = {200, 400, 401, 404, 405, 413, 415}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["name", "id", "batch", "page", "url", "user", "commerce", "sentAt", "occurredAt",
                         "properties", "items", "value", "currency", "context"]) | st.text(max_size=5),
        inner, max_size=5),
    max_leaves=30)
bodies = st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode()))
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
headers = st.fixed_dictionaries({}, optional={
    "Content-Type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                     "application/json; charset=latin-1", "", "multipart/form-data; boundary=x"]),
    "Authorization": st.sampled_from([f"Bearer {WRITE_KEY}", f"Bearer {OTHER_WRITE_KEY}", "Bearer x", "Basic ???",
                                      "Basic " + "d2tfdGVzdF8wMTIzNDU2Nzg5YWJjZGVmZ2hpajo=", ""]),
    "webhook-id": header_text, "webhook-timestamp": st.sampled_from(["1795521600", "x", "-1", "9" * 30]),
    "webhook-signature": header_text,
})
paths = st.sampled_from(["/v1/events", "/v1/webhooks/backend", "/v1/webhooks/web", "/v1/webhooks/nope"])


@pytest.fixture
def app(make_app: Any) -> Flask:
    """Every refusal kept: the budget for unknown callers (tests/test_refusals.py) would cut this many short."""
    return make_app(limits={"unauthenticated_rejections": "1000000/minute"})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=paths, body=bodies, request_headers=headers)
def test_any_input_gets_a_documented_answer_and_refusals_are_kept(app: Flask, path: str, body: bytes,
                                                                  request_headers: dict[str, str]) -> None:
    storage = app.extensions["tagway"].storage
    before = len(storage.list_rejections(RejectionQuery(limit=500)))
    response = app.test_client().post(path, data=body, headers=request_headers)
    assert response.status_code in DOCUMENTED, response.get_data(as_text=True)
    after = storage.list_rejections(RejectionQuery(limit=500))
    body_json: Any = response.get_json(silent=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert len(after) == before + 1, "a refused input is kept"
        assert body_json["rejectionId"] == after[0]["id"]
        assert all({"field", "value", "expectation"} <= set(e) for e in body_json["errors"])
    else:
        assert len(after) == before + body_json["rejected"]
