"""The adapter registry: built-in folders and plugins, validated with messages that say what to fix."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

import pytest

from adapters.base import Adapter, InboundRequest, Source
from app.registry import AdapterLoadError, discover_adapters


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


plugin_instance = PluginAdapter()


def point(value: str, name: str = "acme") -> EntryPoint:
    return EntryPoint(name=name, value=f"{__name__}:{value}", group="tagway.adapters")


def test_builtin_adapters_are_found_by_folder() -> None:
    assert "canonical" in discover_adapters(extra_entry_points=[])


def test_a_plugin_adapter_is_registered_by_entry_point() -> None:
    registry = discover_adapters(extra_entry_points=[point("plugin_instance")])
    assert registry["acme"] is plugin_instance
    assert isinstance(discover_adapters(extra_entry_points=[point("PluginAdapter")])["acme"], PluginAdapter)


@pytest.mark.parametrize("entry, message", [
    (point("Misnamed"), "declares name 'acme-shop' but is registered as 'acme'"),
    (point("Incomplete"), "must implement verify()"),
    (point("point"), "must provide an instance of adapters.base.Adapter"),
    (point("plugin_instance", name="canonical"), "clashes with an adapter already registered"),
    (EntryPoint(name="acme", value="no_such_module:thing", group="tagway.adapters"), "cannot be loaded"),
])
def test_bad_plugins_are_refused_with_a_clear_message(entry: EntryPoint, message: str) -> None:
    with pytest.raises(AdapterLoadError, match=message):
        discover_adapters(extra_entry_points=[entry])


def test_the_registry_cannot_be_changed_after_start_up() -> None:
    registry = discover_adapters(extra_entry_points=[])
    with pytest.raises(TypeError):
        registry["evil"] = plugin_instance  # type: ignore[index]
