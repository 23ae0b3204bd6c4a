"""When to try a delivery again: capped exponential backoff with jitter, Retry-After honoured."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff 1 s, 2 s, 4 s, ... up to the cap, each drawn in [½, 1] of itself; dead after too many tries."""

    base_seconds: float = 1.0
    cap_seconds: float = 3600.0
    max_attempts: int = 10
    max_age: timedelta = timedelta(hours=72)

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds before the next try after `attempts` failed tries (the provider's Retry-After wins, capped)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap_seconds)
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return rng.uniform(ceiling / 2, ceiling)  # "equal jitter": spread out, never immediate

    def gives_up(self, attempts: int, queued_at: datetime, now: datetime) -> bool:
        """Whether the row becomes a dead letter (too many tries, or queued for too long) instead of a retry."""
        return attempts >= self.max_attempts or now - queued_at >= self.max_age
