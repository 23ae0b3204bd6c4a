"""Limits the JSON Schema cannot express: byte lengths (Channel-compatible) and event size."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from adapters.base import Event, Problem

MAX_STRING_BYTES = 512
MAX_LIST_BYTES = 4096


def property_problems(event: Event) -> list[Problem]:
    """Strings over 512 UTF-8 bytes and lists over 4 KB in `properties` and `user.traits`."""
    problems: list[Problem] = []
    user = event.get("user")
    for prefix, mapping in (("properties", event.get("properties")),
                            ("user.traits", user.get("traits") if isinstance(user, dict) else None)):
        if isinstance(mapping, Mapping):
            problems.extend(_mapping_problems(prefix, mapping))
    return problems


def _mapping_problems(prefix: str, mapping: Mapping[str, Any]) -> Iterator[Problem]:
    for key, value in mapping.items():
        field = f"{prefix}.{key}"
        if isinstance(value, str):
            if len(value) * 4 > MAX_STRING_BYTES and len(value.encode()) > MAX_STRING_BYTES:
                yield Problem(field, value, f"a string of at most {MAX_STRING_BYTES} UTF-8 bytes")
        elif isinstance(value, list):
            size = len(orjson.dumps(value))
            if size > MAX_LIST_BYTES:
                yield Problem(field, value, f"a list of at most {MAX_LIST_BYTES} bytes as JSON (this one is {size})")
            else:
                yield from _list_string_problems(field, value)


def _list_string_problems(field: str, values: list[Any]) -> Iterator[Problem]:
    for index, value in enumerate(values):
        if isinstance(value, str) and len(value.encode()) > MAX_STRING_BYTES:
            yield Problem(f"{field}[{index}]", value, f"a string of at most {MAX_STRING_BYTES} UTF-8 bytes")
        elif isinstance(value, dict):
            yield from _mapping_problems(f"{field}[{index}]", value)


def size_problem(encoded: bytes, max_bytes: int, field: str = "event") -> Problem | None:
    """A problem when the encoded event is larger than `max_bytes`."""
    if len(encoded) <= max_bytes:
        return None
    return Problem(field, f"<{len(encoded)} bytes>", f"an event of at most {max_bytes} bytes as JSON")
