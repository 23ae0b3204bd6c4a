"""Hypothesis strategies that mutate a real request: the contract suite's property test of a webhook route."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_places(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_places(item, (*path, index)))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return document


@st.composite
def mutated_body(draw: st.DrawFn, body: bytes) -> bytes:
    """The body with one change: a JSON value replaced or removed, bytes cut or flipped, or anything."""
    kind = draw(st.sampled_from(["json", "json", "json", "truncate", "flip", "random"]))
    if kind == "json":
        try:
            document = json.loads(body)
        except ValueError:
            kind = "flip"
        else:
            path = draw(st.sampled_from(_places(document)))
            delete = bool(path) and draw(st.booleans())
            return json.dumps(_replace(document, path, draw(json_values), delete)).encode()
    if kind == "truncate":
        return body[:draw(st.integers(0, max(len(body) - 1, 0)))]
    if kind == "flip" and body:
        index = draw(st.integers(0, len(body) - 1))
        return body[:index] + bytes([body[index] ^ draw(st.integers(1, 255))]) + body[index + 1:]
    return draw(st.binary(max_size=300))


@st.composite
def mutated_headers(draw: st.DrawFn, headers: dict[str, str]) -> dict[str, str]:
    """The headers, perhaps with one removed or one given a random value."""
    changed = dict(headers)
    action = draw(st.sampled_from(["keep", "keep", "drop", "garble"]))
    if action != "keep" and changed:
        name = draw(st.sampled_from(sorted(changed)))
        if action == "drop":
            del changed[name]
        else:
            changed[name] = draw(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
    return changed
