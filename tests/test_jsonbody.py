"""Strict JSON bodies: the nesting check agrees with a real parser for any JSON text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.base import PayloadInvalid
from adapters.jsonbody import json_depth_exceeds, parse_json

tricky_text = st.text(alphabet='[]{}"\\ab\n', max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=60,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@settings(max_examples=1000, deadline=None)
@given(value=json_values, limit=st.integers(min_value=1, max_value=12), ascii_only=st.booleans())
def test_depth_check_matches_the_real_depth(value: Any, limit: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert json_depth_exceeds(text, limit) == (depth(value) > limit)


@pytest.mark.parametrize("value", [
    ["", "[", "", "]"], {"a": "]]]]", "b": [[[]]]}, [["{"], "}", ""], {"": "", "[[": [[["x"]]]}, [[[[[[]]]]]],
    {"k": [{"a": ""}, {"b": ""}], "c": {"d": {"e": ""}}},
])
def test_brackets_inside_strings_never_count(value: Any) -> None:
    text = json.dumps(value).encode()
    for limit in range(1, 8):
        assert json_depth_exceeds(text, limit) == (depth(value) > limit), limit


def test_deep_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse_json(b"[" * 100_000 + b"]" * 100_000, max_depth=32)
    assert caught.value.problems[0].expectation == "JSON nested at most 32 levels deep"


@pytest.mark.parametrize("body, position", [
    (b"", "line 1, column 1"),
    (b'["\\ud800"]', "line 1, column 3"),  # a lone surrogate cannot be stored as UTF-8
    (b"[1e400]", "line 1, column 2"),  # infinity is not a JSON number
    (b"[1,]", "line 1, column 3"),
    (b'{"a": NaN}', "line 1, column 7"),
])
def test_invalid_json_names_the_rule_and_the_position(body: bytes, position: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse_json(body)
    expectation = caught.value.problems[0].expectation
    assert expectation.startswith("valid JSON (RFC 8259): ") and expectation.endswith(position)


def test_text_that_is_not_utf8_is_named_so() -> None:
    with pytest.raises(PayloadInvalid) as caught:
        parse_json(b'{"a": "\xc3\x28"}')
    assert caught.value.problems[0].expectation == "UTF-8 encoded text"


def test_large_integers_stay_exact() -> None:
    assert parse_json(b'{"id": 5504141721722077541}') == {"id": 5504141721722077541}
