"""Strict JSON decoding of request bodies: UTF-8 only, RFC 8259, bounded nesting."""

from __future__ import annotations

import re
from typing import Any

import orjson

from adapters.base import PayloadInvalid

# In JSON, backslashes occur only inside strings: once escaped backslashes and escaped quotes are
# gone, every remaining quote delimits a string, and strings can be cut out without a parser.
_STRING_WITHOUT_ESCAPED_QUOTES = re.compile(rb'"[^"]*"')
# An escaped backslash or quote, paired from the left as a JSON reader pairs them. One regex pass finds them
# (its literal first byte is searched for at C speed), where a replace per kind costs five times as much on a
# body full of quotes.
_ESCAPED_BACKSLASH_OR_QUOTE = re.compile(rb'\\[\\"]')
_NOT_BRACKETS_OR_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')
# Only nesting matters here, not whether a level is an object or a list: braces become brackets,
# so that one replace per pass removes the innermost pairs of both kinds.
_BRACES_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether the JSON text nests arrays/objects deeper than `max_depth` (checked before parsing).

    Each pass removes every innermost `[]` pair, so a well-formed text needs exactly as many passes
    as it is deep; all of it runs at C speed. Malformed texts are left to the parser.
    """
    text = _ESCAPED_BACKSLASH_OR_QUOTE.sub(b"", body) if b"\\" in body else body
    # Keep only brackets and quotes (one C pass over the body; the rest works on what is left).
    quoted = text.translate(_BRACES_AS_BRACKETS, _NOT_BRACKETS_OR_QUOTES)
    quotes = quoted.count(b'"')
    if len(quoted) - quotes <= 2 * max_depth + 1:
        return False  # too few brackets to nest that deep (each level takes two): the common case
    if quoted.count(b'""') * 2 == quotes:
        # Every quote has its partner right beside it, so no string holds a bracket (the usual
        # case): without the quotes, what is left is the structure.
        brackets = quoted.translate(None, b'"')
    else:
        # Removing adjacent quotes only empties or merges strings, which leaves what is outside
        # them as it was; the few strings left are cut out by the regex.
        brackets = _STRING_WITHOUT_ESCAPED_QUOTES.sub(b"", quoted.replace(b'""', b""))
    for _ in range(max_depth):
        reduced = brackets.replace(b"[]", b"")
        if reduced == brackets:
            return False
        brackets = reduced
    return b"[]" in brackets


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
