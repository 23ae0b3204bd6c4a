"""The canonical event schema: a valid draft 2020-12 schema, served, and every refusal explained."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.base import Problem
from app.event.schema import EventValidator, event_schema

VALIDATOR = EventValidator()
MINIMAL = {"id": "e1", "name": "Lead", "occurredAt": "2026-11-24T12:00:00.000Z",
           "receivedAt": "2026-11-24T12:00:00.000Z", "source": {"id": "web", "adapter": "canonical"}}
STANDARD_NAMES = event_schema()["$defs"]["standardName"]["enum"]
MISSING = object()


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema_rs.meta.validate(event_schema())


def test_schema_is_served(client: FlaskClient) -> None:
    response = client.get("/v1/schema/event")
    assert response.status_code == 200
    assert response.mimetype == "application/schema+json"
    assert response.get_json() == event_schema()


def test_every_name_with_requirements_is_a_standard_name() -> None:
    conditioned = set()
    for rule in event_schema()["allOf"]:
        condition = rule["if"]["properties"]["name"]
        conditioned.update([condition["const"]] if "const" in condition else condition["enum"])
    assert conditioned <= set(STANDARD_NAMES)


@pytest.mark.parametrize("name", STANDARD_NAMES)
def test_standard_names_are_valid_event_names(name: str) -> None:
    assert "name" not in {p.field for p in VALIDATOR.problems({**MINIMAL, "name": name})}


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


def test_a_standard_name_says_why_a_field_is_required() -> None:
    assert VALIDATOR.problems({**MINIMAL, "name": "Refund", "commerce": {}}) == [
        Problem("commerce.orderId", None, "present: OrderPaid / OrderCancelled / Refund events need orderId")]


def test_custom_names_need_only_the_name_rules() -> None:
    assert VALIDATOR.problems({**MINIMAL, "name": "WishlistShared"}) == []
    assert [p.field for p in VALIDATOR.problems({**MINIMAL, "name": "A" * 31})] == ["name"]


def test_money_needs_a_currency_and_ids_are_strings() -> None:
    problems = VALIDATOR.problems({**MINIMAL, "commerce": {"value": 10, "orderId": 5504141721722}})
    assert {(p.field, p.value, p.expectation.split(" (")[0]) for p in problems} == {
        ("commerce.currency", None, "present whenever value is"),
        ("commerce.orderId", 5504141721722, "a string of 1 to 100 characters")}


def test_an_unknown_field_is_named_with_the_fields_allowed_there() -> None:
    assert VALIDATOR.problems({**MINIMAL, "commerce": {"currency": "USD", "total": 5}}) == [
        Problem("commerce.total", 5, "no such field; allowed here: cartId, currency, items, orderId, value")]


def test_a_property_named_like_a_number_is_named_as_a_property() -> None:
    problems = VALIDATOR.problems({**MINIMAL, "properties": {"9": {"nested": True}}})
    assert [(p.field, p.value) for p in problems] == [("properties.9", {"nested": True})]


def test_a_refused_property_name_is_the_value() -> None:
    problems = VALIDATOR.problems({**MINIMAL, "user": {"anonymousId": "a", "traits": {"x" * 129: 1}}})
    assert problems == [Problem("user.traits", "x" * 129, "property names of 1 to 128 characters")]


# Patterns are ECMA-262 regular expressions, as draft 2020-12 says: `$` is the end of the string, where
# Python's `re` (and so the reference `jsonschema` package) would also let it match before a final newline.
@pytest.mark.parametrize("field, value", [
    ("commerce.currency", "USD\n"),
    ("name", "Lead\n"),
    ("occurredAt", "2026-11-24T12:00:00.000Z\n"),
    ("page.url", "https://example.com/\n"),
    ("user.email", "jo@example.com\n"),
])
def test_a_trailing_newline_does_not_match_a_pattern(field: str, value: str) -> None:
    event: dict[str, Any] = {**MINIMAL, "page": {"url": "https://example.com/", "canonicalUrl": "https://example.com/",
                                                 "path": "/"}, "user": {"email": "jo@example.com"},
                             "commerce": {"currency": "USD"}}
    assert VALIDATOR.problems(event) == []
    parent, _, key = field.rpartition(".")
    (event[parent] if parent else event)[key] = value
    assert [(p.field, p.value) for p in VALIDATOR.problems(event)] == [(field, value)]


def value_at(event: dict[str, Any], field: str) -> Any:
    """The value a problem's field names (`commerce.items[0].price`), MISSING when there is none."""
    node: Any = event
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", field):
        if index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        elif key and isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return MISSING
    return node


# Property names of digits check that a name such as "9" is not taken for a list index; names are never empty
# (an empty name is refused, and jsonschema-rs leaves an empty key out of the paths it reports).
NAMES = st.text(alphabet="ab9", min_size=1, max_size=3)
VALUES = st.one_of(st.text(max_size=4), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none(),
                   st.lists(st.integers(), max_size=2), st.dictionaries(NAMES, st.integers(), max_size=2))


@settings(max_examples=300, deadline=None)
@given(event=st.fixed_dictionaries({k: st.one_of(st.just(v), VALUES) for k, v in MINIMAL.items() if k != "name"},
                                   optional={
    "user": st.dictionaries(st.sampled_from(["anonymousId", "memberId", "email", "phone", "x", "traits"]), VALUES,
                            max_size=3),
    "commerce": st.dictionaries(st.sampled_from(["currency", "value", "orderId", "items"]),
                                st.one_of(VALUES, st.lists(st.dictionaries(st.sampled_from(["id", "quantity", "q"]),
                                                                           VALUES), max_size=2)), max_size=3),
    "properties": st.dictionaries(NAMES, st.one_of(VALUES, st.lists(st.dictionaries(NAMES, VALUES), max_size=2))),
    "name": st.one_of(st.sampled_from(STANDARD_NAMES), st.text(max_size=35)),
}))
def test_every_problem_names_a_field_and_the_value_found_there(event: dict[str, Any]) -> None:
    for problem in VALIDATOR.problems(event):
        found = value_at(event, problem.field)
        if found is MISSING:
            assert problem.value is None and problem.expectation.startswith("present"), problem
        elif problem.expectation == "property names of 1 to 128 characters":
            assert problem.value in found, problem
        else:
            assert problem.value == found, problem
