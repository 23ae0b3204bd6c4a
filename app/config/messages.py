"""Validation errors as the `key.sub[0]: message` lines that configuration problems are told in."""

from __future__ import annotations

from typing import Any


def flatten_errors(messages: Any, prefix: str = "") -> list[str]:
    """Marshmallow's nested error dict as `key.sub[0]: message` lines."""
    if isinstance(messages, dict):
        lines: list[str] = []
        for name, inner in messages.items():
            if isinstance(name, int):
                child = f"{prefix}[{name}]"
            elif name == "_schema":
                child = prefix
            else:
                child = f"{prefix}.{name}" if prefix else str(name)
            lines.extend(flatten_errors(inner, child))
        return lines
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        text = " ".join(m.rstrip(".") + "." for m in messages)
        text = text.replace("Unknown field.", "unknown key (check its spelling and section).")
        text = text.replace("Missing data for required field.", "missing: this key is required.")
        return [f"{prefix or 'config'}: {text}"]
    return [f"{prefix or 'config'}: {messages}"]
