"""The canonical event schema: a valid draft 2020-12 schema, served, and checked the same way twice."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.event.schema import EventValidator, event_schema, standard_names

VALIDATOR = EventValidator()
MINIMAL = {"id": "e1", "name": "Lead", "occurredAt": "2026-11-24T12:00:00.000Z",
           "receivedAt": "2026-11-24T12:00:00.000Z", "source": {"id": "web", "adapter": "canonical"}}


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(event_schema())


def test_schema_is_served(client: FlaskClient) -> None:
    response = client.get("/v1/schema/event")
    assert response.status_code == 200
    assert response.mimetype == "application/schema+json"
    assert response.get_json() == event_schema()


def test_standard_names() -> None:
    assert {"PageView", "UserChatOpen", "MarketingView", "MarketingClick", "MarketingGoal", "Purchase",
            "AddToCart", "CheckoutBegin", "Refund"} <= standard_names()
    assert all(len(name) <= 30 for name in standard_names())


@pytest.mark.parametrize("name, extra, missing", [
    ("Purchase", {}, ["commerce"]),
    ("Purchase", {"commerce": {"currency": "USD"}}, ["commerce.orderId", "commerce.value"]),
    ("Refund", {"commerce": {}}, ["commerce.orderId"]),
    ("PageView", {}, ["page"]),
    ("AddToCart", {"commerce": {"items": []}}, ["commerce.items"]),
    ("Search", {"properties": {}}, ["properties.searchTerm"]),
    ("SignUp", {}, ["user"]),
])
def test_standard_names_require_their_fields(name: str, extra: dict[str, Any], missing: list[str]) -> None:
    problems = VALIDATOR.problems({**MINIMAL, "name": name, **extra})
    assert sorted(p.field for p in problems) == missing


def test_custom_names_need_only_the_name_rules() -> None:
    assert VALIDATOR.problems({**MINIMAL, "name": "WishlistShared"}) == []
    assert [p.field for p in VALIDATOR.problems({**MINIMAL, "name": "A" * 31})] == ["name"]


def test_money_needs_a_currency_and_ids_are_strings() -> None:
    problems = VALIDATOR.problems({**MINIMAL, "commerce": {"value": 10, "orderId": 5504141721722}})
    assert {(p.field, p.expectation.split(" (")[0]) for p in problems} == {
        ("commerce.currency", "present whenever value is"),
        ("commerce.orderId", "a string of 1 to 100 characters")}


@settings(max_examples=300, deadline=None)
@given(event=st.fixed_dictionaries({k: st.just(v) for k, v in MINIMAL.items() if k != "name"}, optional={
    "user": st.dictionaries(st.sampled_from(["anonymousId", "memberId", "email", "phone", "x"]),
                            st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    "commerce": st.dictionaries(st.sampled_from(["currency", "value", "orderId", "items"]),
                                st.one_of(st.text(max_size=4), st.floats(allow_nan=False), st.lists(st.integers())),
                                max_size=3),
    "properties": st.dictionaries(st.text(max_size=3), st.one_of(st.text(max_size=3), st.none(),
                                                                  st.lists(st.dictionaries(st.text(max_size=2),
                                                                                           st.integers())))),
    "name": st.one_of(st.sampled_from(sorted(standard_names())), st.text(max_size=35)),
}))
def test_the_fast_and_the_reference_validator_agree(event: dict[str, Any]) -> None:
    reference = list(jsonschema.Draft202012Validator(event_schema()).iter_errors(event))
    assert VALIDATOR.is_valid(event) == (not reference)
    assert (VALIDATOR.problems(event) == []) == (not reference)
