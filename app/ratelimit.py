"""Per-source rate limits (the `limits` library that Flask-Limiter is built on)."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.problems import ProblemError


class RateLimits:
    """Counts requests per source; memory storage counts per process, a redis:// URI counts globally."""

    def __init__(self, storage_uri: str = "memory://", default: str | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.default = default

    def allows(self, key: str, rate: str) -> bool:
        """Count one more use of `key`; whether it is within `rate`."""
        return bool(self._limiter.hit(parse(rate), key))

    def check(self, key: str, rate: str | None) -> None:
        """Raise a 429 problem when `key` has used up `rate` (or the default rate)."""
        rate = rate or self.default
        if not rate:
            return
        item = parse(rate)
        if not self._limiter.hit(item, key):
            reset_at, _remaining = self._limiter.get_window_stats(item, key)
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise ProblemError("rate-limited", detail=f"Source {key!r} is limited to {rate}; retry later.",
                               headers={"Retry-After": str(retry_after)})
