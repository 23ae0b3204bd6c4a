"""What a shop owner pastes for a source: the one answer the console and `tagway sources list` both give."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.base import Adapter
from app.config.model import SourceConfig


@dataclass(frozen=True)
class Address:
    """One address to paste, with what it is for."""

    label: str
    url: str


def addresses(adapter: Adapter, source: SourceConfig, public_url: str) -> list[Address]:
    """The webhook URL of a webhook source; the gateway URL of a write-key source (and the events URL of the API)."""
    public = public_url.rstrip("/")
    shown = []
    if adapter.receives_webhooks:
        shown.append(Address("Webhook URL", f"{public}/v1/webhooks/{source.id}"))
    if adapter.accepts_write_key and not adapter.serves_events_api:
        shown.append(Address("Gateway URL", public))
    if adapter.serves_events_api:
        shown.append(Address("Events API URL", f"{public}/v1/events"))
    return shown
