"""Prometheus metrics, correct under several gunicorn workers (prometheus_client multiprocess mode).

Requests add their counts up in the process; a background thread writes the sums to the shared
files once a second (and every exposition writes this process's first). In multiprocess mode each
increment is a locked write to a memory-mapped file, and a request made four of them: about as
much time as reading its headers. A scrape may therefore miss up to a second of another
worker's requests; they appear in the next one.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from app.process import current_pid

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FLUSH_INTERVAL_SECONDS = 1.0
LATENCY_BUCKETS = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5)

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
                                 ["route"], registry=self.registry, buckets=LATENCY_BUCKETS)
        self.events = Counter("tagway_events", "Events received, by source and outcome "
                              "(stored, duplicate, rejected).", ["source", "outcome"], registry=self.registry)
        self.rejections = Counter("tagway_rejections", "Inputs and events refused and kept, by source and reason.",
                                  ["source", "reason"], registry=self.registry)
        self.rejections_not_kept = Counter(
            "tagway_rejections_not_kept", "Refused inputs of unknown callers counted but not kept (over the "
            "[limits] unauthenticated_rejections budget), by reason.", ["reason"], registry=self.registry)
        # Label lookups take a lock and build keys; the children are cached per label set.
        self._children: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()
        self._counts: dict[tuple[Any, ...], float] = {}
        """Counter increments not yet written: (counter, *labels) → amount."""
        self._latencies: dict[str, list[float]] = {}
        """Observations not yet written, by route: [sum, count in each bucket (the last is +Inf)]."""
        _LIVE.add(self)
        _start_flusher()

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric._name, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count an answered request and its duration."""
        key = (self.requests, route, method, str(status))
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            observed = self._latencies.get(route)
            if observed is None:
                observed = self._latencies[route] = [0.0] * (len(LATENCY_BUCKETS) + 2)
            observed[0] += seconds
            observed[1 + bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def count_events(self, source: str, outcome: str, count: int = 1) -> None:
        """Count events of a source by outcome."""
        self._count((self.events, source, outcome), count)

    def count_rejections(self, source: str, reason: str, count: int = 1) -> None:
        """Count refused inputs or events of a source by reason."""
        self._count((self.rejections, source, reason), count)

    def count_rejection_not_kept(self, reason: str) -> None:
        """One refused input of an unknown caller counted instead of kept."""
        self._count((self.rejections_not_kept, reason), 1)

    def _count(self, key: tuple[Any, ...], amount: float) -> None:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + amount

    def flush(self) -> None:
        """Write what this process counted since the last flush."""
        with self._lock:
            counts, self._counts = self._counts, {}
            latencies, self._latencies = self._latencies, {}
        for (metric, *labels), amount in counts.items():
            self._child(metric, *labels).inc(amount)
        for route, (total, *buckets) in latencies.items():
            _add_observations(self._child(self.latency, route), total, buckets)

    def forget_pending(self) -> None:
        """Drop what was counted but not written (in a forked child: the parent writes it)."""
        self._lock = threading.Lock()
        self._counts, self._latencies = {}, {}

    def exposition(self, outbox: OutboxFigures | None = None,
                   projections: Sequence[ProjectionLag] = ()) -> tuple[bytes, str]:
        """The text exposition (summed over every worker process under gunicorn), with the database's figures."""
        self.flush()
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
        if projections:
            lags = CollectorRegistry()
            lags.register(_ProjectionCollector(projections))
            text += generate_latest(lags)
        return text, CONTENT_TYPE_LATEST


def _add_observations(child: Any, total: float, buckets: list[float]) -> None:
    """Add many observations to a histogram child at once: the sum, and the count of each bucket.

    prometheus_client has no public call for this; its histogram keeps a sum and a count per
    bucket (tests/test_metrics.py checks the result against observe()).
    """
    child._sum.inc(total)
    for bucket, count in zip(child._buckets, buckets, strict=True):
        if count:
            bucket.inc(count)


_LIVE: weakref.WeakSet[Metrics] = weakref.WeakSet()
_flusher_pid: int | None = None
_flusher_lock = threading.Lock()


def _flush_all() -> None:
    for metrics in list(_LIVE):
        metrics.flush()


def _start_flusher() -> None:
    """One thread per process writes every live Metrics' counts once a second."""
    global _flusher_pid
    with _flusher_lock:
        if _flusher_pid == current_pid():
            return
        _flusher_pid = current_pid()
    threading.Thread(target=_flush_forever, name="tagway-metrics-flush", daemon=True).start()


def _flush_forever() -> None:
    while True:
        time.sleep(FLUSH_INTERVAL_SECONDS)
        _flush_all()


def _after_fork_in_child() -> None:
    global _flusher_lock
    _flusher_lock = threading.Lock()
    for metrics in list(_LIVE):
        metrics.forget_pending()
    if _LIVE:
        _start_flusher()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_flush_all)  # a worker that stops writes its last second


@dataclass(frozen=True)
class OutboxFigures:
    """What the database says of deliveries at scrape time (the same for every process)."""

    open_rows: dict[str, dict[str, int]]
    """Pending, in-flight and dead rows per destination (counted along an index, never the delivered rows)."""
    totals: dict[str, dict[str, int]]
    """Deliveries finished per destination and outcome, kept in a table of their own."""


class _OutboxCollector:
    """The outbox's figures, read from the database at scrape time: every process agrees."""

    def __init__(self, figures: OutboxFigures) -> None:
        self.figures = figures

    def collect(self) -> Any:
        rows = GaugeMetricFamily("tagway_outbox_rows", "Deliveries waiting or given up, by destination and status "
                                 "(pending, inflight, dead; @enrich is enrichment).", labels=["destination", "status"])
        for destination, statuses in sorted(self.figures.open_rows.items()):
            for status, count in sorted(statuses.items()):
                rows.add_metric([destination, status], count)
        yield rows
        totals = CounterMetricFamily("tagway_deliveries", "Deliveries finished, by destination and outcome "
                                     "(delivered, dead), counted in the database: the purge keeps them.",
                                     labels=["destination", "outcome"])
        for destination, outcomes in sorted(self.figures.totals.items()):
            for outcome, total in sorted(outcomes.items()):
                totals.add_metric([destination, outcome], total)
        yield totals


class ProjectionLag(Protocol):
    """How far one projection is behind the stored events (app.projections.runner.Lag)."""

    @property
    def name(self) -> str:
        """The projection."""

    @property
    def events(self) -> int:
        """Events past its cursor."""

    @property
    def seconds(self) -> float:
        """Age of the oldest of them."""


class _ProjectionCollector:
    """Each projection's lag, read from the database at scrape time."""

    def __init__(self, lags: Sequence[ProjectionLag]) -> None:
        self.lags = lags

    def collect(self) -> Any:
        seconds = GaugeMetricFamily("tagway_projection_lag_seconds", "Age of the oldest stored event a projection "
                                    "has not applied yet (0: caught up).", labels=["projection"])
        events = GaugeMetricFamily("tagway_projection_lag_events", "Stored events a projection has not applied "
                                   "yet.", labels=["projection"])
        for lag in self.lags:
            seconds.add_metric([lag.name], lag.seconds)
            events.add_metric([lag.name], lag.events)
        yield seconds
        yield events
