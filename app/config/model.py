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
    missing: tuple[tuple[str, str], ...] = ()
    """Required settings not given yet, each with why (e.g. the variable that is not set): the source is pending."""
    managed_by: str = "file"
    """`file` (tagway.toml or TAGWAY_SOURCES) or `database` (added in the console or with `tagway sources add`)."""

    @property
    def pending(self) -> bool:
        """Whether the source waits for a setting (a secret) before it can take input."""
        return bool(self.missing)

    @property
    def state(self) -> str:
        """`active`, `pending` (a setting missing) or `disabled`, as the console and `sources list` say it."""
        if not self.enabled:
            return "disabled"
        return "pending" if self.pending else "active"

    def secret_values(self) -> list[str]:
        """Its write key and secret settings, so that logs can scrub them."""
        values = [self.write_key] if self.write_key else []
        values.extend(str(self.settings[k]) for k in self.secret_settings if self.settings.get(k))
        return values

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
    include_journey: bool = False
    """Add the journey before the chat (people projection) to each UserChatOpen delivered."""
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


DEFAULT_JUNK_IDS = ("", "0", "-1", "null", "undefined", "anonymous", "none", "nil", "guest")


@dataclass(frozen=True)
class PeopleSettings:
    """How the people projection links identifiers and cuts sessions."""

    enabled: bool = True
    session_timeout_minutes: float = 30.0
    """A new session starts after this long without an event."""
    max_session_hours: float = 24.0
    """No session lasts longer."""
    junk_ids: tuple[str, ...] = ()
    """Identifier values that never link, besides the built-in ones ("", 0, -1, null, undefined, anonymous...)."""
    contact_sources: tuple[str, ...] | None = None
    """Sources whose email and phone link identities; None: every webhook and server-API source, no browser one."""
    batch_size: int = 1000
    """Events applied per transaction."""

    def is_junk(self, value: str) -> bool:
        """Whether an identifier value must never link (compared trimmed and case-insensitively)."""
        folded = value.strip().lower()
        return folded in DEFAULT_JUNK_IDS or folded in self._junk

    @cached_property
    def _junk(self) -> frozenset[str]:
        return frozenset(v.strip().lower() for v in self.junk_ids)


@dataclass(frozen=True)
class SdkSettings:
    """How the gateway serves tagway.js, the browser SDK."""

    path: str = "/t"
    """The prefix of the script's versioned URL (<path>/<version>.js): renameable, since ad blockers match names."""


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
    sdk: SdkSettings = field(default_factory=SdkSettings)
    people: PeopleSettings = field(default_factory=PeopleSettings)
    path: str | None = None

    def secrets(self) -> list[str]:
        """Every secret value in the configuration, so that logs can scrub them."""
        values = [self.admin_token]
        for source in self.sources.values():
            values.extend(source.secret_values())
        for destination in self.destinations.values():
            values.extend(str(destination.settings[k]) for k in destination.secret_settings
                          if destination.settings.get(k))
        return [v for v in values if v]
