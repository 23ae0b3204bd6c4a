"""The validated configuration as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from adapters.base import Source
from app.event.canonical_url import CanonicalUrlRules


@dataclass(frozen=True)
class ServerSettings:
    """How the gateway listens and how it is reached."""

    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 1
    trusted_proxies: int = 0


@dataclass(frozen=True)
class AdminSettings:
    """How guessing the admin token is slowed down (the token itself is `GatewayConfig.admin_token`)."""

    lockout_failures: int = 10
    """Wrong admin tokens from one client address that lock it out..."""
    lockout_seconds: int = 900
    """...when they fall within this many seconds; it may try again once the oldest is that old."""


@dataclass(frozen=True)
class StorageSettings:
    """Where events are stored."""

    url: str = "sqlite:///tagway.db"
    sqlite_synchronous: str = "NORMAL"
    busy_timeout_ms: int = 5000
    keep_accepted_inputs: bool = False
    """Also keep the raw request of inputs accepted whole (refused or cut-short ones are always kept)."""


@dataclass(frozen=True)
class Limits:
    """Input limits (defaults as the README documents them)."""

    max_event_bytes: int = 32 * 1024
    max_request_bytes: int = 512 * 1024
    max_batch_events: int = 500
    max_json_depth: int = 32
    max_kept_body_bytes: int = 64 * 1024
    rate_limit: str | None = None
    rate_limit_storage: str = "memory://"
    unauthenticated_rejections: str = "60/minute"
    """How many refused inputs from unknown callers are kept (per process with memory://); the rest are counted."""


@dataclass(frozen=True)
class SourceConfig:
    """One configured source: where events come from and how they are authenticated."""

    id: str
    adapter: str
    title: str = ""
    write_key: str | None = None
    enabled: bool = True
    rate_limit: str | None = None
    allowed_origins: tuple[str, ...] = ()
    site: str | None = None
    """The shop this source witnesses: its order events share their ids with the other sources of the site."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    secret_settings: tuple[str, ...] = ()

    def as_adapter_source(self) -> Source:
        """The view of this source that an adapter receives (made once: every input asks for it)."""
        return self._adapter_source

    @cached_property
    def _adapter_source(self) -> Source:
        return Source(id=self.id, adapter=self.adapter, settings=self.settings)


@dataclass(frozen=True)
class DestinationConfig:
    """One configured destination: where events are forwarded, which ones, and how hard to try."""

    id: str
    type: str
    title: str = ""
    enabled: bool = True
    events: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    batch_size: int = 1
    max_attempts: int = 10
    max_age_hours: float = 72.0
    ordered: bool | None = None
    timeout_seconds: float = 10.0
    settings: Mapping[str, Any] = field(default_factory=dict)
    secret_settings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliverySettings:
    """How deliveries run."""

    in_process: bool = True
    poll_seconds: float = 0.2
    claim_size: int = 500
    lease_seconds: float = 60.0
    enrich_timeout_seconds: float = 10.0
    witness_wait_seconds: float = 60.0
    """How long an order event of a site waits before delivery, so that its other witnesses can add what they know."""


@dataclass(frozen=True)
class RetentionSettings:
    """How many days each kind of row is kept before the worker purges it (0: kept forever)."""

    events_days: int = 90
    rejections_days: int = 30
    inputs_days: int = 30
    """Kept raw requests (of refused or cut inputs, or all with keep_accepted_inputs)."""
    delivered_days: int = 7
    """Delivered outbox rows."""
    dead_days: int = 30
    """Dead letters."""
    batch_size: int = 1000
    """Rows deleted per statement: each batch is its own short transaction."""
    interval_minutes: float = 5.0
    """How often a worker purges."""


@dataclass(frozen=True)
class GatewayConfig:
    """Everything tagway.toml and the TAGWAY_* variables say, validated."""

    admin_token: str
    admin: AdminSettings = field(default_factory=AdminSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    limits: Limits = field(default_factory=Limits)
    anonymize_ip: bool = False
    log_level: str = "INFO"
    canonical_url: CanonicalUrlRules = field(default_factory=CanonicalUrlRules)
    sources: Mapping[str, SourceConfig] = field(default_factory=dict)
    destinations: Mapping[str, DestinationConfig] = field(default_factory=dict)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    path: str | None = None

    def secrets(self) -> list[str]:
        """Every secret value in the configuration, so that logs can scrub them."""
        values = [self.admin_token]
        for source in self.sources.values():
            if source.write_key:
                values.append(source.write_key)
            values.extend(str(source.settings[k]) for k in source.secret_settings if source.settings.get(k))
        for destination in self.destinations.values():
            values.extend(str(destination.settings[k]) for k in destination.secret_settings
                          if destination.settings.get(k))
        return [v for v in values if v]
