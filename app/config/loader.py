"""Reading the configuration: tagway.toml, then TAGWAY_* variables over it, ${VAR} secrets, validation."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError

from adapters.base import Adapter
from app.config.environment import read_environment
from app.config.messages import flatten_errors
from app.config.model import AdminSettings, DestinationConfig, GatewayConfig, SourceConfig
from app.config.schema import DestinationSchema, TopSchema
from app.sources.validation import SourceInvalid, source_from_table

DEFAULT_CONFIG_NAME = "tagway.toml"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BASE_DESTINATION_KEYS = frozenset(DestinationSchema().fields)


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists `key: what is expected` lines."""

    def __init__(self, problems: list[str], path: str | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f" in {path}" if path else ""
        super().__init__(f"invalid configuration{where}:\n" + "\n".join(f"  - {p}" for p in problems))


def find_config_path(explicit: str | os.PathLike[str] | None = None,
                     environ: Mapping[str, str] = os.environ) -> Path | None:
    """The config file to use: the given path, else $TAGWAY_CONFIG, else ./tagway.toml if there is one.

    None means there is no file: the defaults and the TAGWAY_* variables make the configuration.
    """
    chosen = explicit or environ.get("TAGWAY_CONFIG")
    if chosen:
        return Path(chosen)
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.exists() else None


def load_config(source: str | os.PathLike[str] | Mapping[str, Any] | None, adapters: Mapping[str, Adapter],
                environ: Mapping[str, str] = os.environ) -> GatewayConfig:
    """Load and validate a configuration: a TOML file, an already-parsed mapping, or none (defaults).

    TAGWAY_* variables set keys over it (see app.config.environment).
    """
    path: str | None = None
    if source is None:
        raw: dict[str, Any] = {}
        base_dir = Path.cwd()
    elif isinstance(source, Mapping):
        raw = _deep_copy(source)
        base_dir = Path.cwd()
    else:
        path = str(source)
        raw = _read_toml(Path(source))
        base_dir = Path(source).resolve().parent
    problems: list[str] = []
    environment = read_environment(environ, problems)
    # Sources are read apart: a ${NAME} a source needs and the environment lacks makes that source pending
    # (shown with what it lacks), not the whole gateway unable to start.
    raw_sources = environment.arrays.pop("sources", raw.pop("sources", []))
    file_problems: list[str] = []
    raw = _interpolate(raw, environ, "", file_problems)
    # A ${NAME} the file refers to is not needed where a TAGWAY_* variable sets the key instead.
    problems.extend(p for p in file_problems if environment.variable_behind(p.partition(": ")[0]) is None)
    # ${NAME} works in TAGWAY_DESTINATIONS too: secrets can stay in variables of their own.
    environment.arrays = _interpolate(environment.arrays, environ, "", problems)
    environment.apply(raw)
    if problems:
        raise ConfigError([environment.name_variable(p) for p in problems], path)
    try:
        top = TopSchema().load(raw)
    except ValidationError as error:
        problems.extend(flatten_errors(error.messages))
        top = None
    sources = _load_sources(raw_sources, adapters, environ, problems)
    destinations = _load_destinations(raw.get("destinations", []), problems)
    if problems or top is None:
        raise ConfigError([environment.name_variable(p) for p in problems], path)
    storage = top["storage"]
    storage = replace(storage, url=_resolve_sqlite_path(storage.url, base_dir))
    admin = dict(top["admin"])
    return GatewayConfig(
        admin_token=admin.pop("token"), admin=AdminSettings(**admin), server=top["server"], storage=storage,
        limits=top["limits"], anonymize_ip=top["privacy"]["anonymize_ip"], log_level=top["logging"]["level"],
        canonical_url=top["canonical_url"], sources=sources, destinations=destinations, delivery=top["delivery"],
        retention=top["retention"], sdk=top["sdk"], people=top["people"], path=path,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file; run `tagway init` to write a starter configuration"],
                          str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"not valid TOML: {error}"], str(path)) from None


def _interpolate(value: Any, environ: Mapping[str, str], key: str, problems: list[str]) -> Any:
    """Replace ${NAME} in strings with the environment variable NAME; report the missing ones."""
    if isinstance(value, str):
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                problems.append(f"{key}: environment variable {name} is not set")
                return ""
            return environ[name]
        return _REFERENCE.sub(substitute, value)
    if isinstance(value, dict):
        return {k: _interpolate(v, environ, f"{key}.{k}" if key else k, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, environ, f"{key}[{i}]", problems) for i, v in enumerate(value)]
    return value


def _load_sources(raw_sources: Any, adapters: Mapping[str, Adapter], environ: Mapping[str, str],
                  problems: list[str]) -> dict[str, SourceConfig]:
    sources: dict[str, SourceConfig] = {}
    write_keys: dict[str, str] = {}
    if not isinstance(raw_sources, list):
        problems.append("sources: must be an array of tables ([[sources]])")
        return sources
    for index, raw in enumerate(raw_sources):
        key = f"sources[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{key}: must be a table ([[sources]])")
            continue
        table, unset = _interpolate_source(raw, environ)
        try:
            source = source_from_table(table, adapters, key, unset)
        except SourceInvalid as error:
            problems.extend(error.problems)
            continue
        if source.id in sources:
            problems.append(f"{key}.id: {source.id!r} is used by another source; ids must be unique")
        if source.write_key and source.write_key in write_keys:
            problems.append(f"{key}.write_key: the same key is used by source {write_keys[source.write_key]!r}")
        if source.write_key:
            write_keys[source.write_key] = source.id
        sources[source.id] = source
    return sources


def _interpolate_source(raw: dict[str, Any], environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The table with ${NAME} replaced; a key whose variable is not set is left out and named with why."""
    table: dict[str, Any] = {}
    unset: dict[str, str] = {}
    for name, value in raw.items():
        missing: list[str] = []
        value = _interpolate(value, environ, name, missing)
        if missing and name not in ("id", "adapter"):
            unset[name] = "; ".join(m.partition(": ")[2] for m in missing)
        else:
            table[name] = value
    return table, unset


def _load_destinations(raw_destinations: Any, problems: list[str]) -> dict[str, DestinationConfig]:
    from app.delivery.destinations import DESTINATION_TYPES  # the types import the config model

    destinations: dict[str, DestinationConfig] = {}
    for key, base, settings, kind in _typed_entries("destinations", raw_destinations, DestinationSchema, "type",
                                                    DESTINATION_TYPES, problems):
        common = {k: base[k] for k in _BASE_DESTINATION_KEYS if k in base}
        common["events"], common["sources"] = tuple(common["events"]), tuple(common["sources"])
        destination = DestinationConfig(**common, settings=settings, secret_settings=tuple(kind.secret_settings))
        if destination.id in destinations or destination.id.startswith("@"):
            problems.append(f"{key}.id: {destination.id!r} is used by another destination; ids must be unique")
        if destination.batch_size > kind.max_batch_size:
            problems.append(f"{key}.batch_size: at most {kind.max_batch_size} for a {destination.type} destination")
        destinations[destination.id] = destination
    return destinations


def _typed_entries(section: str, raw_entries: Any, schema: type[Schema], type_key: str,
                   kinds: Mapping[str, Any], problems: list[str]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any],
                                                                                   Any]]:
    """Each [[section]] table: its common keys, then the keys its kind (adapter or type) brings."""
    if not isinstance(raw_entries, list):
        return
    common_keys = frozenset(schema().fields)
    for index, raw in enumerate(raw_entries):
        key = f"{section}[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{key}: must be a table ([[{section}]])")
            continue
        try:
            base = schema(unknown=INCLUDE).load(raw)
        except ValidationError as error:
            problems.extend(flatten_errors(error.messages, key))
            continue
        kind = kinds.get(base[type_key])
        if kind is None:
            known = ", ".join(sorted(kinds)) or "none"
            problems.append(f"{key}.{type_key}: unknown {type_key} {base[type_key]!r}; available: {known}")
            continue
        own = {k: v for k, v in base.items() if k not in common_keys}
        settings: dict[str, Any] = {}
        if kind.settings_schema is not None:
            try:
                settings = dict(kind.settings_schema().load(own))
            except ValidationError as error:
                problems.extend(flatten_errors(error.messages, key))
                continue
        elif own:
            problems.extend(f"{key}.{name}: unknown key for {type_key} {base[type_key]!r}" for name in sorted(own))
            continue
        yield key, base, settings, kind


def _resolve_sqlite_path(url: str, base_dir: Path) -> str:
    """Make `sqlite:///relative.db` relative to the configuration file (the working directory without one)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    location = url[len(prefix):]
    if location.startswith("/") or location == ":memory:":
        return url
    return prefix + str((base_dir / location).resolve())


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
