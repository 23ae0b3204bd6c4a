"""The adapter registry, built once at start-up: built-in folders plus `tagway.adapters` entry points.

Nothing is ever imported by a name taken from a request: requests look adapters up here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from types import MappingProxyType
from typing import Any

import adapters
from adapters.base import Adapter

ENTRY_POINT_GROUP = "tagway.adapters"


class AdapterLoadError(Exception):
    """An adapter cannot be registered; the message says which one and what to fix."""


def discover_adapters(extra_entry_points: Iterable[EntryPoint] | None = None) -> Mapping[str, Adapter]:
    """All adapters by name: every package under `adapters/`, then every installed entry point."""
    registry: dict[str, Adapter] = {}
    for module_info in sorted(pkgutil.iter_modules(adapters.__path__), key=lambda m: m.name):
        if not module_info.ispkg or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"adapters.{module_info.name}")
        registry[module_info.name] = _validated(getattr(module, "adapter", None), module_info.name,
                                                f"adapters/{module_info.name}/__init__.py")
    points = extra_entry_points if extra_entry_points is not None else entry_points(group=ENTRY_POINT_GROUP)
    for point in points:
        if point.name in registry:
            raise AdapterLoadError(
                f"entry point {point.name!r} ({point.value}) clashes with an adapter already registered "
                "under that name; choose another name")
        try:
            loaded = point.load()
        except Exception as error:
            raise AdapterLoadError(f"entry point {point.name!r} ({point.value}) cannot be loaded: {error}") from error
        registry[point.name] = _validated(loaded, point.name, f"entry point {point.value}")
    return MappingProxyType(registry)


def _validated(candidate: Any, name: str, where: str) -> Adapter:
    """Check an adapter the way a plugin manager would, with a message that says what to fix."""
    if isinstance(candidate, type) and issubclass(candidate, Adapter):
        try:
            candidate = candidate()
        except TypeError as error:  # an abstract method (parse) left out
            raise AdapterLoadError(f"{where}: the adapter class cannot be made: {error}") from error
    if not isinstance(candidate, Adapter):
        raise AdapterLoadError(
            f"{where} must provide an instance of adapters.sdk.Adapter (as `adapter = MyAdapter()`), "
            f"found {type(candidate).__name__}")
    if candidate.name != name:
        raise AdapterLoadError(
            f"{where}: the adapter declares name {candidate.name!r} but is registered as {name!r}; "
            "the folder (or entry-point) name and `Adapter.name` must agree")
    if not candidate.title:
        raise AdapterLoadError(f"{where}: the adapter {name!r} needs a human `title`")
    if candidate.receives_webhooks and type(candidate).verify is Adapter.verify:
        raise AdapterLoadError(f"{where}: the adapter {name!r} receives webhooks, so it must implement verify() "
                               "(or declare `receives_webhooks = False`)")
    if not (candidate.receives_webhooks or candidate.collects_from_browsers or candidate.serves_events_api
            or candidate.serves_tracking_api):
        raise AdapterLoadError(f"{where}: the adapter {name!r} takes input from nowhere: declare at least one of "
                               "receives_webhooks, collects_from_browsers, serves_events_api, serves_tracking_api")
    if (candidate.collects_from_browsers or candidate.serves_tracking_api) and not candidate.accepts_write_key:
        raise AdapterLoadError(f"{where}: the adapter {name!r} takes input authenticated by a write key "
                               "(from browsers or the tracking API): declare `accepts_write_key = True`")
    return candidate


def events_api_adapter(registry: Mapping[str, Adapter]) -> Adapter:
    """The one adapter that reads `POST /v1/events` bodies."""
    serving = [adapter for adapter in registry.values() if adapter.serves_events_api]
    if len(serving) != 1:
        raise AdapterLoadError(f"exactly one adapter must declare `serves_events_api = True`, found "
                               f"{[a.name for a in serving] or 'none'}")
    return serving[0]
