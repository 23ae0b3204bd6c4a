"""The adapter registry: built-in folders and plugins, validated with messages that say what to fix."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

import adapters
from adapters.sdk import Adapter, InboundRequest, Source
from app.registry import AdapterLoadError, discover_adapters, events_api_adapter


class PluginAdapter(Adapter):
    name = "acme"
    title = "Acme storefront"

    def verify(self, request: InboundRequest, source: Source) -> None:
        return None

    def parse(self, request: InboundRequest, source: Source) -> list[dict[str, Any]]:
        return []


class Misnamed(PluginAdapter):
    name = "acme-shop"


class Incomplete(Adapter):
    name = "acme"
    title = "Acme"

    def verify(self, request: InboundRequest, source: Source) -> None:
        return None


class WebhookWithoutVerify(Adapter):
    name = "acme"
    title = "Acme"

    def parse(self, request: InboundRequest, source: Source) -> list[dict[str, Any]]:
        return []


class BrowserOnly(WebhookWithoutVerify):
    """A browser-only adapter needs no verify()."""

    receives_webhooks = False
    collects_from_browsers = True
    accepts_write_key = True


class BrowserWithoutWriteKey(BrowserOnly):
    accepts_write_key = False


class FromNowhere(WebhookWithoutVerify):
    receives_webhooks = False


class SecondEventsApi(PluginAdapter):
    serves_events_api = True


plugin_instance = PluginAdapter()


def point(value: str, name: str = "acme") -> EntryPoint:
    return EntryPoint(name=name, value=f"{__name__}:{value}", group="tagway.adapters")


def test_builtin_adapters_are_found_by_folder() -> None:
    folders = {p.parent.name for p in Path(adapters.__file__).parent.glob("*/__init__.py")}
    registry = discover_adapters(extra_entry_points=[])
    assert folders and set(registry) == folders
    assert all(registry[name].name == name for name in folders)


def test_a_browser_only_adapter_needs_no_verify() -> None:
    assert isinstance(discover_adapters(extra_entry_points=[point("BrowserOnly")])["acme"], BrowserOnly)


def test_exactly_one_adapter_serves_the_events_api() -> None:
    assert events_api_adapter(discover_adapters(extra_entry_points=[])).serves_events_api
    with pytest.raises(AdapterLoadError, match="exactly one adapter must declare `serves_events_api = True`"):
        events_api_adapter(discover_adapters(extra_entry_points=[point("SecondEventsApi")]))


def test_a_plugin_adapter_is_registered_by_entry_point() -> None:
    registry = discover_adapters(extra_entry_points=[point("plugin_instance")])
    assert registry["acme"] is plugin_instance
    assert isinstance(discover_adapters(extra_entry_points=[point("PluginAdapter")])["acme"], PluginAdapter)


@pytest.mark.parametrize("entry, message", [
    (point("Misnamed"), "declares name 'acme-shop' but is registered as 'acme'"),
    (point("Incomplete"), "cannot be made: .*abstract method .*parse"),
    (point("WebhookWithoutVerify"), "receives webhooks, so it must implement verify()"),
    (point("BrowserWithoutWriteKey"), "declare `accepts_write_key = True`"),
    (point("FromNowhere"), "takes input from nowhere"),
    (point("point"), "must provide an instance of adapters.sdk.Adapter"),
    (point("plugin_instance", name=next(iter(discover_adapters(extra_entry_points=[])))),
     "clashes with an adapter already registered"),
    (EntryPoint(name="acme", value="no_such_module:thing", group="tagway.adapters"), "cannot be loaded"),
])
def test_bad_plugins_are_refused_with_a_clear_message(entry: EntryPoint, message: str) -> None:
    with pytest.raises(AdapterLoadError, match=message):
        discover_adapters(extra_entry_points=[entry])


def test_the_registry_cannot_be_changed_after_start_up() -> None:
    registry = discover_adapters(extra_entry_points=[])
    with pytest.raises(TypeError):
        registry["evil"] = plugin_instance  # type: ignore[index]
