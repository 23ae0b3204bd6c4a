"""Retry timing: capped exponential backoff with jitter, Retry-After honoured, dead letters by count or age."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.delivery.policy import RetryPolicy

POLICY = RetryPolicy(base_seconds=1, cap_seconds=60, max_attempts=5, max_age=timedelta(hours=1))


@pytest.mark.parametrize("attempts, low, high", [(1, 0.5, 1), (2, 1, 2), (3, 2, 4), (6, 16, 32), (7, 30, 60),
                                                 (30, 30, 60)])
def test_backoff_doubles_within_jitter_and_is_capped(attempts: int, low: float, high: float) -> None:
    rng = random.Random(1)
    delays = [POLICY.delay(attempts, rng) for _ in range(200)]
    assert all(low <= d <= high for d in delays)
    assert max(delays) - min(delays) > (high - low) / 2, "jitter spreads the retries"


def test_retry_after_wins_but_is_capped() -> None:
    assert POLICY.delay(1, random.Random(0), retry_after=17) == 17
    assert POLICY.delay(1, random.Random(0), retry_after=9999) == 60
    assert POLICY.delay(1, random.Random(0), retry_after=-5) == 0


def test_dead_after_max_attempts_or_max_age() -> None:
    queued = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert not POLICY.gives_up(4, queued, queued + timedelta(minutes=59))
    assert POLICY.gives_up(5, queued, queued + timedelta(minutes=1))
    assert POLICY.gives_up(1, queued, queued + timedelta(hours=1))
