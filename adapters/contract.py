"""The adapter contract suite as a pytest plugin (entry point `pytest11`: installed with tagway, on by itself).

Every folder `<adapter name>/cases/` under the tested paths, whose parent folder is named after a registered
adapter (built in, or installed through the `tagway.adapters` entry points), is collected as that adapter's
contract tests. For each case (see `adapters.testing`):
- the adapter's verify + parse + the gateway's normalization give exactly the expected events (time frozen);
- every event is valid against the canonical schema, and the same request twice gives the same ids;
- through the real HTTP route, the answer has the expected status and exactly the expected rows are stored (or
  the expected rejection is kept); a redelivery is stored once; a tampered body or signature is a 401, kept;
and for the adapter as a whole: garbage bodies raise only `PayloadInvalid`; there is a case of a wrong signature
(or write key); its README carries the setup steps word for word; and mutated requests sent to its webhook route
(signed again by the `signer.py` beside the cases, when there is one) get a documented status, never a 5xx, with
every refusal kept.
"""

from __future__ import annotations

import inspect
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cache, partial
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Adapter, Event, PayloadInvalid, SignatureInvalid, Source
from adapters.testing import (
    CASE_ADMIN_TOKEN,
    Case,
    Clock,
    Signer,
    build_gateway_app,
    case_config,
    cases_in,
    signer_beside,
)

DOCS_WEBHOOK_URL = "https://<your gateway>/v1/webhooks/<source id>"
DOCUMENTED = {200, 202, 204, 400, 401, 404, 413, 415}
"""What a webhook route answers to anything (the OpenAPI document lists these); an adapter's crash (500) fails."""
GIF_TYPE = "image/gif"


@cache
def registry() -> Any:
    """Every registered adapter (built in and installed), once per run."""
    from app.registry import discover_adapters

    return discover_adapters()


@cache
def _checker() -> Any:
    from app.config.model import Limits
    from app.event.canonical_url import Canonicalizer
    from app.event.check import EventChecker
    from app.event.normalize import Normalizer
    from app.event.schema import EventValidator

    return EventChecker(EventValidator(), Normalizer(Canonicalizer()), Limits())


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A `cases` folder beside an adapter's name is that adapter's contract suite."""
    if path.name == "cases" and path.parent.name in registry():
        return AdapterCases.from_parent(parent, path=path)
    return None


class AdapterCases(pytest.Directory):
    """One adapter's cases folder: the checks of each case, then those of the adapter as a whole."""

    def collect(self) -> Iterator[pytest.Item]:
        """Items named `<case>::<check>` and `<adapter>::<check>`."""
        adapter: Adapter = registry()[self.path.parent.name]
        cases = cases_in(self.path)
        for case in cases:
            checks = [("expected-events", partial(expected_events, adapter, case)),
                      ("http-round-trip", partial(http_round_trip, case))]
            if case.succeeds and case.expect.get("events"):
                checks += [("valid-events", partial(valid_events, adapter, case)),
                           ("same-ids-twice", partial(same_ids_twice, adapter, case)),
                           ("redelivery-stored-once", partial(redelivery_stored_once, case))]
                if case.route == "webhook":
                    checks.append(("tampered-refused-and-kept", partial(tampered_refused, adapter, case)))
            for name, check in checks:
                yield ContractItem.from_parent(self, name=f"{case.path.stem}::{name}", check=check)
        whole = [
            ("has-a-refused-credential-case", partial(has_refused_credential_case, adapter, cases)),
            ("garbage-raises-only-payload-invalid", partial(garbage_raises_only_payload_invalid, adapter, cases)),
            ("readme-has-the-setup-steps", partial(readme_has_setup_steps, adapter)),
        ]
        start = next((c for c in reversed(cases) if c.succeeds and c.route == "webhook" and c.expect.get("events")),
                     None)
        if adapter.receives_webhooks and start is not None:
            whole.append(("mutated-webhooks-answered-and-kept",
                          partial(mutated_webhooks_answered_and_kept, start, signer_beside(self.path))))
        for name, check in whole:
            yield ContractItem.from_parent(self, name=f"{adapter.name}::{name}", check=check)


class ContractItem(pytest.Item):
    """One contract check."""

    def __init__(self, *, check: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        """Run the check."""
        self.check()

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the check's case lives."""
        return self.path, None, self.name


class SchemaRejected(Exception):
    """The gateway refuses what the adapter produced (expected by cases whose rejection reason is "schema")."""


def run_case(adapter: Adapter, case: Case, body: bytes | None = None) -> list[Event]:
    """The adapter's verify + parse + normalization, as the gateway does it, without HTTP or storage."""
    from app.event.normalize import Arrival

    inbound = case.inbound(body)
    source = case.source(adapter)
    if case.takes_write_key:
        if "write_key" in case.data["request"]:  # no write key, or another one: the route refuses it (401)
            raise SignatureInvalid("the case sends no or another write key")
    elif adapter.respond(inbound, source) is not None:
        return []
    else:
        adapter.verify(inbound, source)
    raw_events = adapter.parse(inbound, source)
    arrival = Arrival(received_at=case.now, source=source, ip=inbound.remote_addr,
                      user_agent=inbound.header("user-agent"))
    checked = [_checker().check(i, raw, arrival) for i, raw in enumerate(raw_events)]
    problems = [p for c in checked for p in c.problems]
    if problems:
        raise SchemaRejected(f"{case.id}: the adapter produced events the gateway rejects: {problems}")
    return [c.event for c in checked]


def expected_events(adapter: Adapter, case: Case) -> None:
    """The case gives exactly the expected events, or raises the expected error."""
    expect = case.expect
    if case.succeeds:
        assert run_case(adapter, case) == expect.get("events", [])
        return
    reason = expect["rejection"]["reason"]
    error = {"signature": SignatureInvalid, "auth": SignatureInvalid, "schema": SchemaRejected}.get(
        reason, PayloadInvalid)
    with pytest.raises(error) as caught:
        run_case(adapter, case)
    if reason not in ("signature", "auth", "schema"):
        fields = [p.field for p in caught.value.problems]  # type: ignore[attr-defined]
        assert fields == expect["rejection"].get("fields", fields)


def valid_events(adapter: Adapter, case: Case) -> None:
    """Every event is valid against the canonical schema."""
    validator = _checker().validator
    for event in run_case(adapter, case):
        assert validator.problems(event) == []


def same_ids_twice(adapter: Adapter, case: Case) -> None:
    """The same request twice gives the same event ids, each once."""
    first = [e["id"] for e in run_case(adapter, case)]
    assert first == [e["id"] for e in run_case(adapter, case)]
    assert len(set(first)) == len(first), "one request must not give two events the same id"


@contextmanager
def _case_folder() -> Iterator[str]:
    """A folder for one check's database, removed at the end of the run (the gateway's threads may still use it)."""
    yield tempfile.mkdtemp(dir=_run_folder())


@cache
def _run_folder() -> str:
    return tempfile.mkdtemp(prefix="tagway-contract-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's databases."""
    if _run_folder.cache_info().currsize:
        shutil.rmtree(_run_folder(), ignore_errors=True)


def _app(case: Case, folder: Path, **source_settings: Any) -> Any:
    return build_gateway_app(case_config(case, folder / "case.db", **source_settings), Clock(case.now))


def post_case(client: Any, case: Case, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    """Send the case (or a changed body or headers) to its route."""
    return client.open(case.url_path, method=case.method, data=case.body if body is None else body,
                       headers=headers or case.headers, query_string=case.http_query())


def answer(response: Any) -> dict[str, Any]:
    """What the gateway answered: the JSON body, or, for a pixel (a GIF), the same facts from its headers."""
    if response.mimetype != GIF_TYPE:
        return dict(response.get_json())
    if "X-Tagway-Rejection" in response.headers:
        return {"rejectionId": int(response.headers["X-Tagway-Rejection"])}
    counts = dict(part.split(" ") for part in response.headers["X-Tagway-Result"].split(", "))
    return {key: int(value) for key, value in counts.items()}


def _listed(storage: Any) -> tuple[list[Event], list[dict[str, Any]]]:
    from app.storage.records import EventQuery, RejectionQuery

    events = [row["event"] for row in reversed(storage.list_events(EventQuery(limit=500)))]
    return events, storage.list_rejections(RejectionQuery(limit=500))


def http_round_trip(case: Case) -> None:
    """Through the real route: the expected status, exactly the expected rows or the expected rejection."""
    with _case_folder() as folder:
        app = _app(case, Path(folder))
        response = post_case(app.test_client(), case)
        expect = case.expect
        assert response.status_code == expect["status"], response.get_data(as_text=True)
        stored, rejections = _listed(app.extensions["tagway"].storage)
        assert stored == expect.get("events", [])
        if "reply" in expect:
            assert response.get_data(as_text=True) == expect["reply"]["body"]
        if case.succeeds:
            assert rejections == []
        else:
            assert response.mimetype in ("application/problem+json", GIF_TYPE)
            assert [r["reason"] for r in rejections] == [expect["rejection"]["reason"]]
            assert answer(response)["rejectionId"] == rejections[0]["id"]


def redelivery_stored_once(case: Case) -> None:
    """The same delivery twice is acknowledged twice and stored once."""
    with _case_folder() as folder:
        app = _app(case, Path(folder))
        client = app.test_client()
        first, second = post_case(client, case), post_case(client, case)
        assert first.status_code == second.status_code == 200
        assert answer(second)["duplicates"] == len(case.expect["events"])
        assert len(_listed(app.extensions["tagway"].storage)[0]) == len(case.expect["events"])


def tampered_refused(adapter: Adapter, case: Case) -> None:
    """A changed body (or, where only some fields are signed, a changed signature) is a 401, its input kept."""
    body, headers = case.body + b" ", case.headers
    if not adapter.signs_body:  # the provider signs some fields only: tamper with the signature instead
        body = case.body
        name = next(h for h in case.headers if h.lower() in {s.lower() for s in adapter.signature_headers})
        value = headers[name]
        headers = {**headers, name: ("A" if value[:1] != "A" else "B") + value[1:]}
    with pytest.raises(SignatureInvalid):
        adapter.verify(case.inbound(body, headers), case.source(adapter))
    with _case_folder() as folder:
        app = _app(case, Path(folder))
        response = post_case(app.test_client(), case, body=body, headers=headers)
        assert response.status_code == 401
        kept = app.test_client().get(f"/v1/rejections/{response.get_json()['rejectionId']}",
                                     headers={"Authorization": f"Bearer {CASE_ADMIN_TOKEN}"}).get_json()
        assert kept["reason"] == "signature"
        assert kept["body"] == body.decode("utf-8", "replace")


def has_refused_credential_case(adapter: Adapter, cases: list[Case]) -> None:
    """A case shows a wrong signature (or, for /v1/collect, a wrong write key) refused."""
    assert any(c.expect.get("rejection", {}).get("reason") in ("signature", "auth") for c in cases), \
        f"{adapter.name}: add a case whose signature (or write key) is wrong, expecting a 401"


def garbage_raises_only_payload_invalid(adapter: Adapter, cases: list[Case]) -> None:
    """Random bytes and JSON make the adapter return events or raise PayloadInvalid, nothing else."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    garbage = st.one_of(
        st.binary(max_size=300),
        st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=4),
                     max_leaves=20).map(lambda v: json.dumps(v).encode()),
    )
    case = next((c for c in cases if c.succeeds), cases[0])
    source = case.source(adapter)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=garbage)
    def check(body: bytes) -> None:
        inbound = case.inbound(body)
        if case.route == "collect":
            inbound = replace(inbound, method="POST", query={})  # the body is the payload, as in POST /v1/collect
        try:
            events = adapter.parse(inbound, source)
        except PayloadInvalid:
            return
        assert isinstance(events, list)

    check()


def readme_has_setup_steps(adapter: Adapter) -> None:
    """The adapter's README (beside its module) carries the steps `tagway sources add` prints, word for word."""
    readme = Path(inspect.getfile(type(adapter))).parent / "README.md"
    assert readme.exists(), f"{readme} is missing"
    text = " ".join(readme.read_text(encoding="utf-8").split())
    for step in adapter.setup_steps(Source("<source id>", adapter.name), DOCS_WEBHOOK_URL):
        assert " ".join(step.split()) in text, f"{readme} lacks the step: {step}"


def mutated_webhooks_answered_and_kept(case: Case, signer: Signer | None) -> None:
    """Mutated bodies and headers (half signed again) get a documented status below 500; refusals are kept."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from adapters.mutations import mutated_body, mutated_headers
    from app.storage.records import RejectionQuery

    with _case_folder() as folder:
        app = _app(case, Path(folder), **(signer.source_settings if signer else {}))
        client = app.test_client()
        storage = app.extensions["tagway"].storage
        start = signer.start(case.body) if signer else case.body

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(body=mutated_body(start), headers=mutated_headers(case.headers), sign_again=st.booleans())
        def check(body: bytes, headers: dict[str, str], sign_again: bool) -> None:
            if signer is not None:
                signed = signer.sign(body, headers, case.settings) if sign_again else None
                body, headers = signed if signed is not None else (signer.unsigned(body, case.body), headers)
            before = len(storage.list_rejections(RejectionQuery(limit=1000)))
            response = post_case(client, case, body, headers)
            assert response.status_code in DOCUMENTED, (response.status_code, response.get_data(as_text=True))
            kept = storage.list_rejections(RejectionQuery(limit=1000))
            reply: Any = response.get_json(silent=True)
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json"
                assert len(kept) == before + 1, "a refused input is kept"
                assert reply["rejectionId"] == kept[0]["id"] and kept[0]["reason"]
                assert all({"field", "value", "expectation"} <= set(e) for e in reply["errors"])
            elif isinstance(reply, dict) and "rejected" in reply:
                assert len(kept) == before + reply["rejected"], "each refused event is kept"

        check()
