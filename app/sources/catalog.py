"""The sources a running gateway knows, by id and by write key (the one place requests look them up)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType

from app.config.model import SourceConfig


def key_digest(secret: str) -> bytes:
    """The SHA-256 digest a write key is looked up by."""
    return hashlib.sha256(secret.encode()).digest()


class SourceCatalog:
    """Every configured source, enabled or not; write keys are looked up by digest.

    Looking a key up by its digest means the time a lookup takes says nothing about how much of a
    guessed key was right.
    """

    def __init__(self, sources: Mapping[str, SourceConfig]) -> None:
        self._replace(sources)

    def _replace(self, sources: Mapping[str, SourceConfig]) -> None:
        self._sources = MappingProxyType(dict(sources))
        self._by_digest = {key_digest(s.write_key): s for s in sources.values() if s.write_key and s.enabled}

    def get(self, source_id: str) -> SourceConfig | None:
        """The source with this id (enabled or not), or None."""
        return self._sources.get(source_id)

    def all(self) -> Mapping[str, SourceConfig]:
        """Every source by id, in the configured order."""
        return self._sources

    def enabled(self) -> list[SourceConfig]:
        """The sources that take input."""
        return [source for source in self._sources.values() if source.enabled]

    def by_write_key(self, key: str | None) -> SourceConfig | None:
        """The enabled source whose write key this is, or None."""
        if not key:
            return None
        return self._by_digest.get(key_digest(key))
