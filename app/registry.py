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
        candidate = candidate()
    if not isinstance(candidate, Adapter):
        raise AdapterLoadError(
            f"{where} must provide an instance of adapters.base.Adapter (as `adapter = MyAdapter()`), "
            f"found {type(candidate).__name__}")
    if candidate.name != name:
        raise AdapterLoadError(
            f"{where}: the adapter declares name {candidate.name!r} but is registered as {name!r}; "
            "the folder (or entry-point) name and `Adapter.name` must agree")
    if not candidate.title:
        raise AdapterLoadError(f"{where}: the adapter {name!r} needs a human `title`")
    for method in ("verify", "parse"):
        if getattr(type(candidate), method) is getattr(Adapter, method):
            raise AdapterLoadError(f"{where}: the adapter {name!r} must implement {method}()")
    return candidate
