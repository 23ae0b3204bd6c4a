"""One source's table (from tagway.toml, TAGWAY_SOURCES or the database) validated into a SourceConfig.

A required secret that is not there yet (Shopify shows its signing secret only once the webhook exists)
does not stop the gateway: the source is *pending*, with the names of what it lacks, and every other
source runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import INCLUDE, ValidationError

from adapters.base import Adapter
from app.config.messages import flatten_errors
from app.config.model import SourceConfig
from app.config.schema import SourceSchema

BASE_SOURCE_KEYS = frozenset(SourceSchema().fields)
_MISSING_MESSAGE = "Missing data for required field."


class SourceInvalid(Exception):
    """A source table that cannot be used; `problems` are `key: message` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def source_from_table(raw: Mapping[str, Any], adapters: Mapping[str, Adapter], where: str,
                      unset: Mapping[str, str] | None = None, managed_by: str = "file") -> SourceConfig:
    """Validate one source table; `unset` names keys whose value is known to be missing, with why."""
    unset = dict(unset or {})
    try:
        base = SourceSchema(unknown=INCLUDE).load(raw)
    except ValidationError as error:
        raise SourceInvalid(flatten_errors(error.messages, where)) from None
    adapter = adapters.get(base["adapter"])
    if adapter is None:
        raise SourceInvalid([f"{where}.adapter: unknown adapter {base['adapter']!r}; "
                             f"available: {', '.join(sorted(adapters)) or 'none'}"])
    # A key the adapter declares itself is the adapter's, not the gateway's: Webflow's own `site` (the shop name its
    # order events carry) existed before the sources' `site` (docs/witnesses.md) and keeps its meaning.
    declared = set(adapter.settings_schema().fields) if adapter.settings_schema is not None else set()
    own = {k: v for k, v in base.items() if k not in BASE_SOURCE_KEYS or k in declared}
    base = {k: v for k, v in base.items() if k not in declared or k in ("id", "adapter")}
    settings: dict[str, Any] = {}
    if adapter.settings_schema is not None:
        settings, missing = _settings(adapter, own, where, unset)
        unset.update(missing)
    elif own:
        raise SourceInvalid([f"{where}.{name}: unknown key for adapter {adapter.name!r}" for name in sorted(own)])
    common = {k: base[k] for k in BASE_SOURCE_KEYS if k in base}
    common["allowed_origins"] = tuple(common.get("allowed_origins") or ())
    return SourceConfig(**common, settings=settings, secret_settings=tuple(adapter.secret_settings),
                        missing=tuple(sorted(unset.items())), managed_by=managed_by)


def _settings(adapter: Adapter, own: dict[str, Any], where: str,
              unset: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The adapter's settings; required ones not given yet (secrets, keys shown after a webhook exists) are missing."""
    assert adapter.settings_schema is not None
    schema = adapter.settings_schema()
    try:
        return dict(schema.load(own)), {}
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        missing = {name: unset.get(name, "not set yet") for name, message in messages.items()
                   if message == [_MISSING_MESSAGE]}
        others = {name: message for name, message in messages.items() if name not in missing}
        if others:
            raise SourceInvalid(flatten_errors(others, where)) from None
    try:
        return dict(schema.load(own, partial=tuple(missing))), missing
    except ValidationError as error:  # a rule across fields that needs a missing one
        raise SourceInvalid(flatten_errors(error.messages, where)) from None
