"""Which inputs are believed when they put identifiers together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.base import Adapter
from app.config.model import PeopleSettings
from app.sources.catalog import SourceCatalog


class Trust:
    """Says, from a stored event's source, whether its member id and its email/phone may link a person.

    Trusted for a member id: signed webhooks, the server API (`POST /v1/events`, write key), a browser event
    the gateway marked `user.memberVerified` after checking its member hash, and a source whose setting
    `trusted_identity` is true (Segment `identify`/`alias` from a server). A browser's own claim never is.
    """

    def __init__(self, adapters: Mapping[str, Adapter], sources: SourceCatalog, settings: PeopleSettings) -> None:
        self.adapters = adapters
        self.sources = sources
        self.settings = settings
        self.forget()

    def of(self, event: Mapping[str, Any]) -> tuple[bool, bool]:
        """Whether the event's member id, and whether its email and phone, may link identifiers."""
        user = event.get("user") or {}
        source = event.get("source") or {}
        key = (source.get("id", ""), source.get("adapter", ""))
        by_source = self._by_source.get(key)
        if by_source is None:
            by_source = self._by_source[key] = (self._server_side(event) or self._trusted_identity(event),
                                                self.contact(event))
        # The gateway's browser route sets memberVerified once the member hash checked out.
        return by_source[0] or user.get("memberVerified") is True, by_source[1]

    def forget(self) -> None:
        """Ask the sources again (called once per batch: sources may change while the gateway runs)."""
        self._by_source: dict[tuple[str, str], tuple[bool, bool]] = {}

    def contact(self, event: Mapping[str, Any]) -> bool:
        """Whether the event's email and phone may link identifiers."""
        source_id = (event.get("source") or {}).get("id", "")
        if self.settings.contact_sources is not None:
            return source_id in self.settings.contact_sources
        return self._server_side(event) or self._trusted_identity(event)

    def _server_side(self, event: Mapping[str, Any]) -> bool:
        """A signed webhook or the server API: not an adapter browsers send to."""
        adapter = self.adapters.get((event.get("source") or {}).get("adapter", ""))
        if adapter is None or adapter.collects_from_browsers:
            return False
        return adapter.serves_events_api or adapter.receives_webhooks

    def _trusted_identity(self, event: Mapping[str, Any]) -> bool:
        source = self.sources.get((event.get("source") or {}).get("id", ""))
        return source is not None and source.settings.get("trusted_identity") is True
