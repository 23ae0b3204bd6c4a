"""The adapter contract suite: every registered adapter, every fixture case, the same checks.

An adapter passes when, for each of its cases (tests/adapters/<name>/cases/*.json):
- verify + parse + the gateway's normalization give exactly the expected events (time frozen);
- every event is valid against the canonical schema;
- the same request twice gives the same event ids;
- through the real HTTP route, the answer has the expected status and exactly the expected rows
  are stored (or the expected rejection is kept), and a redelivery is stored once;
and, for the adapter as a whole, garbage bodies raise only PayloadInvalid and a tampered body
or signature is a 401 with the input kept.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.base import Adapter, Event, PayloadInvalid, SignatureInvalid, Source
from app.api.collect import GIF
from app.config.model import Limits
from app.event.canonical_url import Canonicalizer
from app.event.normalize import Arrival, Normalizer
from app.event.schema import EventValidator
from app.ingest import EventChecker
from app.registry import discover_adapters
from app.storage.records import EventQuery, RejectionQuery
from tests.support.cases import Case, case_folders, cases_of
from tests.support.gateway import ADMIN, Clock, base_config, build_app

ADAPTERS = discover_adapters()
CASES = [case for name in ADAPTERS for case in cases_of(name)]
SUCCESS_CASES = [case for case in CASES if case.succeeds and case.expect.get("events")]
SIGNED_SUCCESS_CASES = [case for case in SUCCESS_CASES if case.route == "webhook"]
VALIDATOR = EventValidator()
CHECKER = EventChecker(VALIDATOR, Normalizer(Canonicalizer()), Limits())


class SchemaRejected(Exception):
    """The gateway refuses what the adapter produced (expected by cases whose rejection reason is "schema")."""


def run_case(case: Case, body: bytes | None = None) -> list[Event]:
    """verify + parse + normalization, as the gateway does it, without HTTP or storage."""
    adapter = ADAPTERS[case.adapter]
    inbound = case.inbound(body)
    source = case.source()
    if case.route == "collect":
        if "write_key" in case.data["request"]:  # no write key, or another one: the route refuses it (401)
            raise SignatureInvalid("the case sends no or another write key")
    elif adapter.respond(inbound, source) is not None:
        return []
    else:
        adapter.verify(inbound, source)
    raw_events = adapter.parse(inbound, source)
    arrival = Arrival(received_at=case.now, source=source, ip=inbound.remote_addr,
                      user_agent=inbound.header("user-agent"))
    checked = [CHECKER.check(i, raw, arrival) for i, raw in enumerate(raw_events)]
    problems = [p for c in checked for p in c.problems]
    if problems:
        raise SchemaRejected(f"{case.id}: the adapter produced events the gateway rejects: {problems}")
    return [c.event for c in checked]


def case_app(case: Case, tmp_path: Path):  # type: ignore[no-untyped-def]
    config = base_config(tmp_path / "case.db")
    config["sources"] = [case.source_entry()]
    return build_app(config, Clock(case.now))


def post_case(client: Any, case: Case, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    return client.open(case.url_path, method=case.method, data=case.body if body is None else body,
                       headers=headers or case.headers, query_string=case.http_query())


def answer(response: Any) -> dict[str, Any]:
    """What the gateway answered: the JSON body, or, for a pixel (a GIF), the same facts from its headers."""
    if response.mimetype != "image/gif":
        return dict(response.get_json())
    assert response.get_data() == GIF, "a pixel is always answered with the 1x1 GIF"
    if "X-Tagway-Rejection" in response.headers:
        return {"rejectionId": int(response.headers["X-Tagway-Rejection"])}
    counts = dict(part.split(" ") for part in response.headers["X-Tagway-Result"].split(", "))
    return {key: int(value) for key, value in counts.items()}


def test_every_adapter_has_fixture_cases() -> None:
    missing = [name for name in ADAPTERS if not cases_of(name)]
    assert not missing, f"adapters without fixture cases in tests/adapters/<name>/cases/: {missing}"


def test_every_case_folder_belongs_to_a_registered_adapter() -> None:
    orphans = [name for name in case_folders() if name not in ADAPTERS]
    assert not orphans, f"case folders whose name is no registered adapter (folder name = adapter name): {orphans}"


def test_every_adapter_has_a_failing_signature_case() -> None:
    lacking = [name for name in ADAPTERS if not any(
        c.expect.get("rejection", {}).get("reason") in ("signature", "auth") for c in cases_of(name))]
    assert not lacking, f"adapters without a case for a wrong signature (or, for /v1/collect, write key): {lacking}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_gives_exactly_the_expected_events(case: Case) -> None:
    expect = case.expect
    if case.succeeds:
        assert run_case(case) == expect.get("events", [])
    else:
        reason = expect["rejection"]["reason"]
        error = {"signature": SignatureInvalid, "auth": SignatureInvalid, "schema": SchemaRejected}.get(
            reason, PayloadInvalid)
        with pytest.raises(error) as caught:
            run_case(case)
        if reason not in ("signature", "auth", "schema"):
            fields = [p.field for p in caught.value.problems]  # type: ignore[attr-defined]
            assert fields == expect["rejection"].get("fields", fields)


@pytest.mark.parametrize("case", SUCCESS_CASES, ids=lambda c: c.id)
def test_case_events_are_valid_canonical_events(case: Case) -> None:
    for event in run_case(case):
        assert VALIDATOR.problems(event) == []


@pytest.mark.parametrize("case", SUCCESS_CASES, ids=lambda c: c.id)
def test_same_request_twice_gives_the_same_ids(case: Case) -> None:
    first = [e["id"] for e in run_case(case)]
    second = [e["id"] for e in run_case(case)]
    assert first == second
    assert len(set(first)) == len(first), "one request must not give two events the same id"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_http_round_trip_stores_exactly_the_expected_rows(case: Case, tmp_path: Path) -> None:
    app = case_app(case, tmp_path)
    gateway = app.extensions["tagway"]
    response = post_case(app.test_client(), case)
    expect = case.expect
    assert response.status_code == expect["status"], response.get_data(as_text=True)
    stored = [row["event"] for row in reversed(gateway.storage.list_events(EventQuery(limit=500)))]
    assert stored == expect.get("events", [])
    if "reply" in expect:
        assert response.get_data(as_text=True) == expect["reply"]["body"]
    rejections = gateway.storage.list_rejections(RejectionQuery())
    if case.succeeds:
        assert rejections == []
    else:
        assert response.mimetype in ("application/problem+json", "image/gif")
        assert [r["reason"] for r in rejections] == [expect["rejection"]["reason"]]
        assert answer(response)["rejectionId"] == rejections[0]["id"]


@pytest.mark.parametrize("case", SUCCESS_CASES, ids=lambda c: c.id)
def test_redelivery_is_acknowledged_and_stored_once(case: Case, tmp_path: Path) -> None:
    app = case_app(case, tmp_path)
    client = app.test_client()
    first, second = post_case(client, case), post_case(client, case)
    assert first.status_code == second.status_code == 200
    assert answer(second)["duplicates"] == len(case.expect["events"])
    assert app.extensions["tagway"].storage.count_events() == len(case.expect["events"])


@pytest.mark.parametrize("case", SIGNED_SUCCESS_CASES, ids=lambda c: c.id)
def test_tampered_body_is_refused_and_kept(case: Case, tmp_path: Path) -> None:
    adapter = ADAPTERS[case.adapter]
    body, headers = case.body + b" ", case.headers
    if not adapter.signs_body:  # the provider signs some fields only: tamper with the signature instead
        body = case.body
        name = next(h for h in case.headers if h.lower() in {s.lower() for s in adapter.signature_headers})
        value = headers[name]
        headers = {**headers, name: ("A" if value[:1] != "A" else "B") + value[1:]}
    with pytest.raises(SignatureInvalid):
        adapter.verify(case.inbound(body, headers), case.source())
    app = case_app(case, tmp_path)
    response = post_case(app.test_client(), case, body=body, headers=headers)
    assert response.status_code == 401
    kept = app.test_client().get(f"/v1/rejections/{response.get_json()['rejectionId']}", headers=ADMIN).get_json()
    assert kept["reason"] == "signature"
    assert kept["body"] == body.decode("utf-8", "replace")


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
))
def test_garbage_bodies_raise_only_payload_invalid(name: str, body: bytes) -> None:
    adapter: Adapter = ADAPTERS[name]
    cases = cases_of(name)
    case = next((c for c in cases if c.succeeds), cases[0])
    inbound = case.inbound(body)
    if case.route == "collect":
        inbound = replace(inbound, method="POST", query={})  # the body is the payload, as in POST /v1/collect
    try:
        events = adapter.parse(inbound, case.source())
    except PayloadInvalid:
        return
    assert isinstance(events, list)



DOCS_WEBHOOK_URL = "https://<your gateway>/v1/webhooks/<source id>"


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_adapter_documents_its_setup_steps(name: str) -> None:
    """The adapter's README carries the same steps `tagway sources add` prints, word for word."""
    readme = Path(__file__).resolve().parents[2] / "adapters" / name / "README.md"
    assert readme.exists(), f"adapters/{name}/README.md is missing"
    text = " ".join(readme.read_text(encoding="utf-8").split())
    for step in ADAPTERS[name].setup_steps(Source("<source id>", name), DOCS_WEBHOOK_URL):
        assert " ".join(step.split()) in text, f"adapters/{name}/README.md lacks the step: {step}"
