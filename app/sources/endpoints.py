"""What a shop owner pastes for a source: the one answer the console and the CLI both give."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache

from adapters.base import Adapter
from app.config.model import GatewayConfig, SourceConfig
from app.sdk import browser_script


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


def install_snippet(adapter: Adapter, source: SourceConfig, config: GatewayConfig,
                    write_key: str | None) -> str | None:
    """The code to paste for `source` (None: none), with its settings and tagway.js's URL as this gateway serves it.

    `write_key` is the source's key, or a masked one for a page that reveals it only on request.
    """
    gateway_url = config.server.public_url.rstrip("/")
    if _takes_sdk_url(type(adapter)):
        sdk_url = browser_script().url(gateway_url, config.sdk.path)
        return adapter.install_snippet(source.as_adapter_source(), gateway_url, write_key, sdk_url=sdk_url)
    return adapter.install_snippet(source.as_adapter_source(), gateway_url, write_key)


@cache
def _takes_sdk_url(adapter_class: type[Adapter]) -> bool:
    """Whether its install_snippet takes `sdk_url`: an adapter package written before it came overrides without it."""
    parameters = inspect.signature(adapter_class.install_snippet).parameters.values()
    return any(p.name == "sdk_url" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
