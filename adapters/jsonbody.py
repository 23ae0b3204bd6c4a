"""Strict JSON decoding of request bodies: UTF-8 only, RFC 8259, bounded nesting."""

from __future__ import annotations

import re
from typing import Any

import orjson

from adapters.base import PayloadInvalid

# String literals are removed before counting brackets, so that "[[[" inside a string is not nesting.
_STRING_LITERAL = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether the JSON text nests arrays/objects deeper than `max_depth` (checked before parsing)."""
    brackets = _STRING_LITERAL.sub(b"", body).translate(None, _NOT_BRACKETS)
    return _deepest(brackets, max_depth)


def _deepest(brackets: bytes, max_depth: int) -> bool:
    depth = 0
    for byte in brackets:
        if byte in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def parse_json(body: bytes, *, max_depth: int = 32, field: str = "body") -> Any:
    """Decode `body`; raise `PayloadInvalid` naming the position and the rule it breaks."""
    if json_depth_exceeds(body, max_depth):
        raise PayloadInvalid(field, f"<JSON nested deeper than {max_depth}>",
                             f"JSON nested at most {max_depth} levels deep")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if "UTF-8" in error.msg:
            raise PayloadInvalid(field, _snippet(body, _first_bad_utf8(body)),
                                 "UTF-8 encoded text") from None
        raise PayloadInvalid(
            field, _snippet(body, error.pos),
            f"valid JSON (RFC 8259): {error.msg} at line {error.lineno}, column {error.colno}",
        ) from None


def _first_bad_utf8(body: bytes) -> int:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return 0


def _snippet(body: bytes, position: int) -> str:
    """A short excerpt of the body around `position`, safe to show back."""
    start = max(0, position - 20)
    return body[start : position + 20].decode("utf-8", "backslashreplace")
