"""The gateway's parts, built once per app and reached through `current_gateway()`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from adapters.base import Adapter
from app.config.model import GatewayConfig
from app.delivery.destinations import Destination, build_destination
from app.delivery.router import Router
from app.delivery.worker import WorkerParts
from app.event.canonical_url import Canonicalizer
from app.event.check import EventChecker
from app.event.normalize import Normalizer
from app.event.schema import EventValidator
from app.ingest.pipeline import Pipeline
from app.metrics import Metrics
from app.projections import Projection, ProjectionRunner
from app.projections.people import PeopleProjection, Trust
from app.ratelimit import RateLimits
from app.registry import events_api_adapter
from app.sources import SourceCatalog
from app.sources.store import SourceStore
from app.storage import SqlStorage, open_storage

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Gateway:
    """Configuration, adapters, storage and the pipeline of one app."""

    config: GatewayConfig
    adapters: Mapping[str, Adapter]
    storage: SqlStorage
    canonicalizer: Canonicalizer
    pipeline: Pipeline
    events_api_adapter: Adapter
    sources: SourceCatalog
    metrics: Metrics
    rate_limits: RateLimits
    clock: Clock
    destinations: tuple[Destination, ...]
    router: Router

    @classmethod
    def build(cls, config: GatewayConfig, adapters: Mapping[str, Adapter], clock: Clock = utc_now,
              on_secrets: Callable[[Iterable[str]], None] | None = None) -> Gateway:
        """Wire every part from the configuration."""
        storage = open_storage(config.storage)
        canonicalizer = Canonicalizer(config.canonical_url)
        metrics = Metrics()
        checker = EventChecker(EventValidator(), Normalizer(canonicalizer, config.anonymize_ip), config.limits)
        destinations = tuple(build_destination(d) for d in config.destinations.values())
        sources = SourceCatalog(config.sources, SourceStore(storage), adapters, on_secrets=on_secrets)
        router = Router(destinations, adapters, sources)
        rate_limits = RateLimits(config.limits.rate_limit_storage, config.limits.rate_limit)
        pipeline = Pipeline(storage, checker, metrics, router, config.storage.keep_accepted_inputs, rate_limits,
                            config.delivery.witness_wait_seconds)
        return cls(config=config, adapters=adapters, storage=storage, canonicalizer=canonicalizer,
                   pipeline=pipeline, events_api_adapter=events_api_adapter(adapters),
                   sources=sources,
                   metrics=metrics, rate_limits=rate_limits,
                   clock=clock, destinations=destinations, router=router)

    def worker_parts(self) -> WorkerParts:
        """What a delivery worker needs."""
        return WorkerParts(storage=self.storage, destinations=self.destinations, router=self.router,
                           adapters=self.adapters, sources=self.sources, checker=self.pipeline.checker,
                           settings=self.config.delivery, clock=self.clock, retention=self.config.retention,
                           projections=self.projection_runner())

    def projections(self) -> list[Projection]:
        """The projections this gateway runs (people, unless switched off)."""
        people = self.config.people
        if not people.enabled:
            return []
        return [PeopleProjection(Trust(self.adapters, self.sources, people), people)]

    def projection_runner(self) -> ProjectionRunner:
        """A runner of this gateway's projections (one per worker: it keeps each projection's horizon)."""
        return ProjectionRunner(self.storage, self.projections(), self.clock, self.config.people.batch_size)

    def secrets(self) -> list[str]:
        """Every secret the gateway knows: the configuration's and those of the sources added while it runs."""
        return [*self.config.secrets(), *(secret for source in self.sources.all().values()
                                          for secret in source.secret_values())]

    def webhook_url(self, source_id: str) -> str:
        """The URL a provider posts to for this source."""
        return f"{self.config.server.public_url.rstrip('/')}/v1/webhooks/{source_id}"


def current_gateway() -> Gateway:
    """The gateway of the app handling the current request."""
    gateway = current_app.extensions["tagway"]
    assert isinstance(gateway, Gateway)
    return gateway
