"""Prometheus metrics, correct under several gunicorn workers (prometheus_client multiprocess mode)."""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily

from app.process import current_pid

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

if getattr(values.ValueClass, "_multiprocess", False):
    # In multiprocess mode every increment asks for the pid to notice a fork; the library lets
    # the question be answered without a system call (its process_identifier).
    values.ValueClass = values.MultiProcessValue(process_identifier=current_pid)


class Metrics:
    """The gateway's metrics, in a registry of their own (no process-wide state to clash in tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("tagway_http_requests", "HTTP requests answered, by route and status.",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("tagway_http_request_duration_seconds", "Time to answer a request, by route.",
                                 ["route"], registry=self.registry,
                                 buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
        self.events = Counter("tagway_events", "Events received, by source and outcome "
                              "(stored, duplicate, rejected).", ["source", "outcome"], registry=self.registry)
        self.rejections = Counter("tagway_rejections", "Inputs and events refused and kept, by source and reason.",
                                  ["source", "reason"], registry=self.registry)

        # Label lookups take a lock and build keys; the children are cached per label set.
        self._children: dict[tuple[str, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric._name, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count an answered request and its duration."""
        self._child(self.requests, route, method, str(status)).inc()
        self._child(self.latency, route).observe(seconds)

    def count_events(self, source: str, outcome: str, count: int = 1) -> None:
        """Count events of a source by outcome."""
        self._child(self.events, source, outcome).inc(count)

    def count_rejections(self, source: str, reason: str, count: int = 1) -> None:
        """Count refused inputs or events of a source by reason."""
        self._child(self.rejections, source, reason).inc(count)

    def exposition(self, outbox: dict[str, dict[str, int]] | None = None) -> tuple[bytes, str]:
        """The text exposition (summed over every worker process under gunicorn), with the outbox's rows."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            text = generate_latest(registry)
        else:
            text = generate_latest(self.registry)
        if outbox is not None:
            gauges = CollectorRegistry()
            gauges.register(_OutboxCollector(outbox))
            text += generate_latest(gauges)
        return text, CONTENT_TYPE_LATEST


class _OutboxCollector:
    """Outbox rows per destination and status, read from the database at scrape time (every process agrees)."""

    def __init__(self, counts: dict[str, dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Any:
        family = GaugeMetricFamily("tagway_outbox_rows", "Deliveries by destination and status "
                                   "(pending, inflight, delivered, dead; @enrich is enrichment).",
                                   labels=["destination", "status"])
        for destination, statuses in sorted(self.counts.items()):
            for status, count in statuses.items():
                family.add_metric([destination, status], count)
        yield family
