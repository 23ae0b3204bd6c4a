"""dataLayer values as canonical properties, within Channel-compatible limits.

A push may hold anything; properties hold strings (≤ 512 UTF-8 bytes), numbers, booleans, null, and
lists (≤ 4 KB) of those or of flat objects. Nested objects are flattened into dotted keys; what has
to be shortened is named in `cutProperties`; the gateway then keeps the raw request, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from adapters.base import CUT_PROPERTIES

MAX_STRING_BYTES = 512
MAX_LIST_BYTES = 4096
MAX_KEY_LENGTH = 128
MAX_DEPTH = 3
_SCALARS = (str, int, float, bool, type(None))


def fit_properties(values: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Properties from key/value pairs: flattened, shortened where needed, cuts listed."""
    result: dict[str, Any] = {}
    cut: list[str] = []
    for key, value in values:
        _put(result, cut, str(key)[:MAX_KEY_LENGTH], value, 1)
    if cut:
        result[CUT_PROPERTIES] = cut[:20]
    return result


def _put(result: dict[str, Any], cut: list[str], key: str, value: Any, depth: int) -> None:
    if not key:
        return
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            result[key] = _short_string(_json(value))[0]
            cut.append(key)  # kept as JSON text: deeper nesting has no place in properties
            return
        for inner_key, inner in value.items():
            _put(result, cut, f"{key}.{inner_key}"[:MAX_KEY_LENGTH], inner, depth + 1)
        return
    if isinstance(value, list):
        fitted, changed = _fit_list(value)
        result[key] = fitted
        if changed:
            cut.append(key)
        return
    if isinstance(value, str):
        result[key], shortened = _short_string(value)
        if shortened:
            cut.append(key)
        return
    if isinstance(value, _SCALARS) and not (isinstance(value, float) and value != value):
        result[key] = value
        return
    result[key], _ = _short_string(str(value))


def _fit_list(values: list[Any]) -> tuple[list[Any], bool]:
    """Scalars and flat objects only, each string shortened, the whole list at most 4 KB."""
    fitted: list[Any] = []
    changed = False
    for value in values:
        if isinstance(value, dict):
            flat: dict[str, Any] = {}
            for key, inner in value.items():
                text = inner if isinstance(inner, str) else None if isinstance(inner, _SCALARS) else _json(inner)
                if text is None:
                    flat[str(key)[:MAX_KEY_LENGTH]] = inner
                    continue
                flat[str(key)[:MAX_KEY_LENGTH]], shortened = _short_string(text)
                changed = changed or shortened or not isinstance(inner, str)
            fitted.append(flat)
        elif isinstance(value, str):
            text, shortened = _short_string(value)
            fitted.append(text)
            changed = changed or shortened
        elif isinstance(value, _SCALARS):
            fitted.append(value)
        else:
            fitted.append(_short_string(_json(value))[0])
            changed = True
    while fitted and len(orjson.dumps(fitted)) > MAX_LIST_BYTES:
        fitted.pop()
        changed = True
    return fitted, changed


def camel_case(key: str) -> str:
    """GA4's snake_case parameter names in the canonical camelCase (search_term → searchTerm)."""
    if "_" not in key:
        return key
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _short_string(value: str) -> tuple[str, bool]:
    """At most 512 UTF-8 bytes, cut on a character boundary."""
    encoded = value.encode("utf-8", "replace")
    if len(encoded) <= MAX_STRING_BYTES:
        return value, False
    return encoded[: MAX_STRING_BYTES - 3].decode("utf-8", "ignore") + "…", True


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()
