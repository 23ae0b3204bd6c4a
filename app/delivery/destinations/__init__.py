"""Destination types by the `type` of a [[destinations]] entry."""

from __future__ import annotations

from collections.abc import Mapping

from app.config.model import DestinationConfig
from app.delivery.destinations.base import Attempt, Destination, NoRedirectSession
from app.delivery.destinations.channel import ChannelDestination
from app.delivery.destinations.jsonl import JsonlDestination
from app.delivery.destinations.webhook import WebhookDestination

__all__ = ["DESTINATION_TYPES", "Attempt", "Destination", "NoRedirectSession", "build_destination"]

DESTINATION_TYPES: Mapping[str, type[Destination]] = {
    kind.kind: kind for kind in (WebhookDestination, ChannelDestination, JsonlDestination)
}


def build_destination(config: DestinationConfig, session: NoRedirectSession | None = None) -> Destination:
    """The destination object of a configured entry."""
    return DESTINATION_TYPES[config.type](config, session)
