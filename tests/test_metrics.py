"""Metrics added up in the process are exposed exactly as if every request had been observed one by one."""

from __future__ import annotations

import random

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from app.metrics import LATENCY_BUCKETS, Metrics


def samples(text: bytes) -> dict[str, str]:
    """Exposition lines without comments, by series name and labels."""
    lines = [line for line in text.decode().splitlines() if line and not line.startswith("#")]
    return dict(line.rsplit(" ", 1) for line in lines if "_created" not in line)


def test_summed_counts_and_latencies_match_one_by_one_observations() -> None:
    metrics = Metrics()
    registry = CollectorRegistry()
    requests = Counter("tagway_http_requests", "", ["route", "method", "status"], registry=registry)
    latency = Histogram("tagway_http_request_duration_seconds", "", ["route"], registry=registry,
                        buckets=LATENCY_BUCKETS)
    events = Counter("tagway_events", "", ["source", "outcome"], registry=registry)
    Counter("tagway_rejections", "", ["source", "reason"], registry=registry)
    chooser = random.Random(7)
    # Bucket bounds themselves, values between them and beyond the last one.
    durations = [*LATENCY_BUCKETS, 0.0, 7.5, *(chooser.uniform(0, 6) for _ in range(300))]
    for seconds in durations:
        route, status = chooser.choice(["/v1/events", "/v1/collect"]), chooser.choice([200, 400])
        metrics.observe_request(route, "POST", status, seconds)
        metrics.count_events("web", "stored", 2)
        requests.labels(route, "POST", str(status)).inc()
        latency.labels(route).observe(seconds)
        events.labels("web", "stored").inc(2)
    exposed, _ = metrics.exposition()
    assert samples(exposed) == samples(generate_latest(registry))


def test_a_flush_writes_what_was_counted() -> None:
    metrics = Metrics()
    metrics.count_rejections("shop", "signature", 3)
    metrics.flush()
    assert 'tagway_rejections_total{reason="signature",source="shop"} 3.0' in generate_latest(metrics.registry).decode()
