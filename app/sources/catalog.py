"""The sources a running gateway knows, by id and by write key (the one place requests look them up).

They are the file's (tagway.toml or TAGWAY_SOURCES, read at start) and the database's (added in the
console or with `tagway sources add`, while the gateway runs). Each worker checks the database's
version at most once per `refresh_seconds` and reloads the rows when it moved, so a change reaches
every worker on every machine within about that time, without a restart.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from adapters.base import Adapter
from app.config.model import SourceConfig
from app.sources.store import SourceStore
from app.sources.validation import SourceInvalid, source_from_table

log = logging.getLogger("tagway.sources")
REFRESH_SECONDS = 1.0
"""How often, at most, a worker asks the database whether its sources changed (a change works everywhere after it)."""


def key_digest(secret: str) -> bytes:
    """The SHA-256 digest a write key is looked up by."""
    return hashlib.sha256(secret.encode()).digest()


class SourceCatalog:
    """Every source, enabled or not; write keys are looked up by digest.

    Looking a key up by its digest means the time a lookup takes says nothing about how much of a
    guessed key was right. The file's sources win over a database row with the same id.
    """

    def __init__(self, file_sources: Mapping[str, SourceConfig], store: SourceStore | None = None,
                 adapters: Mapping[str, Adapter] | None = None, refresh_seconds: float = REFRESH_SECONDS,
                 on_secrets: Callable[[Iterable[str]], None] | None = None) -> None:
        self._file_sources = dict(file_sources)
        self._store = store
        self._adapters = adapters or {}
        self._refresh_seconds = refresh_seconds
        self._on_secrets = on_secrets
        self._version: int | None = None
        self._next_check = 0.0
        self._lock = threading.Lock()
        self._failing = False
        self._replace({})

    def _replace(self, stored: Mapping[str, SourceConfig]) -> None:
        sources = {**self._file_sources, **{k: v for k, v in stored.items() if k not in self._file_sources}}
        by_digest = {key_digest(s.write_key): s for s in sources.values() if s.write_key and s.enabled}
        self._sources, self._by_digest = MappingProxyType(sources), by_digest  # swapped whole: readers never lock

    def refresh(self, force: bool = False) -> None:
        """Reload the database's sources if they changed: checked at most once per refresh_seconds, or now (force).

        Pages that show or change sources force the check, so that a page loaded right after a change (by
        another worker) shows it; ingestion lookups never wait on it.
        """
        if self._store is None:
            return
        now = time.monotonic()
        if not force and now < self._next_check:
            return
        if not self._lock.acquire(blocking=force):
            return  # another thread is reloading: use what there is meanwhile
        try:
            self._next_check = now + self._refresh_seconds
            version = self._store.version()
            if version != self._version:
                self._replace(self._load(self._store.tables()))
                self._version = version
            self._failing = False
        except Exception as error:  # storage down: keep serving the sources known, say so once
            if not self._failing:
                log.warning("sources could not be reloaded; using the ones known", extra={"error": str(error)})
            self._failing = True
        finally:
            self._lock.release()

    def _load(self, tables: list[dict[str, object]]) -> dict[str, SourceConfig]:
        sources: dict[str, SourceConfig] = {}
        for table in tables:
            try:
                source = source_from_table(table, self._adapters, f"source {table.get('id')!r}",
                                           managed_by="database")
            except SourceInvalid as error:  # e.g. its adapter's package was uninstalled
                log.warning("a stored source cannot be used", extra={"problems": error.problems})
                continue
            sources[source.id] = source
        if self._on_secrets is not None:
            self._on_secrets(secret for source in sources.values() for secret in source.secret_values())
        return sources

    def get(self, source_id: str) -> SourceConfig | None:
        """The source with this id (enabled or not), or None."""
        self.refresh()
        return self._sources.get(source_id)

    def all(self) -> Mapping[str, SourceConfig]:
        """Every source by id: the file's in its order, then the database's oldest first."""
        self.refresh()
        return self._sources

    def enabled(self) -> list[SourceConfig]:
        """The sources that take input."""
        return [source for source in self.all().values() if source.enabled]

    def by_write_key(self, key: str | None) -> SourceConfig | None:
        """The enabled source whose write key this is, or None."""
        if not key:
            return None
        self.refresh()
        return self._by_digest.get(key_digest(key))

    def from_file(self, source_id: str) -> bool:
        """Whether the source is defined in tagway.toml (or TAGWAY_SOURCES), which the console cannot edit."""
        return source_id in self._file_sources
