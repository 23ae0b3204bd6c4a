"""Which outbox rows an event gets: the destinations whose filters match, or enrichment first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.base import Adapter, Event
from app.delivery.destinations import Destination
from app.sources.catalog import SourceCatalog

ENRICH = "@enrich"
"""The outbox row of an event whose adapter completes it from the provider's API before delivery."""


class Router:
    """Maps a stored event to the names of its outbox rows."""

    def __init__(self, destinations: Sequence[Destination], adapters: Mapping[str, Adapter],
                 sources: SourceCatalog) -> None:
        self.destinations = [d for d in destinations if d.config.enabled]
        self.adapters = adapters
        self.sources = sources

    def __call__(self, event: Event) -> list[str]:
        """`@enrich` when the event's adapter has an API call to make for it, else the matching destinations."""
        if self.needs_enrichment(event):
            return [ENRICH]
        return self.destinations_for(event)

    def destinations_for(self, event: Event) -> list[str]:
        """The enabled destinations whose filters take this event."""
        return [d.id for d in self.destinations if d.matches(event)]

    def needs_enrichment(self, event: Event) -> bool:
        """Whether the adapter would fetch something for this event."""
        source_info: Any = event.get("source") or {}
        source = self.sources.get(source_info.get("id", ""))
        adapter = self.adapters.get(source_info.get("adapter", ""))
        if source is None or adapter is None or type(adapter).enrichment_request is Adapter.enrichment_request:
            return False
        return adapter.enrichment_request(event, source.as_adapter_source()) is not None
