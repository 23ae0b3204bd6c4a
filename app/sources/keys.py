"""A source's keys and secrets: new ones made, and how pages and the CLI show them (masked)."""

from __future__ import annotations

import secrets


def fresh_secret(prefix: str) -> str:
    """A random secret with a recognisable prefix (secret scanners and people spot it)."""
    return f"{prefix}_{secrets.token_urlsafe(24)}"


def mask(secret: str) -> str:
    """The first characters of a secret, the rest hidden."""
    return secret[:6] + "…" if len(secret) > 8 else "…"
