"""Per-source rate limits (the `limits` library that Flask-Limiter is built on)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.problems import ProblemError


class RateLimits:
    """Counts requests per source; memory storage counts per process, a redis:// URI counts globally."""

    def __init__(self, storage_uri: str = "memory://", default: str | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.default = default

    def allows(self, key: str, rate: str | RateLimitItem) -> bool:
        """Count one more use of `key`; whether it is within `rate`."""
        return bool(self._limiter.hit(parse(rate) if isinstance(rate, str) else rate, key))

    def seconds_until_allowed(self, key: str, rate: RateLimitItem) -> int | None:
        """Seconds until `key` is within `rate` again (without counting a use), or None when it is now."""
        if self._limiter.test(rate, key):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(rate, key)
        return max(1, math.ceil(reset_at - time.time()))

    def check(self, key: str, rate: str | None) -> None:
        """Raise a 429 problem when `key` has used up `rate` (or the default rate)."""
        rate = rate or self.default
        if not rate:
            return
        item = parse(rate)
        if not self._limiter.hit(item, key):
            retry_after = self.seconds_until_allowed(key, item) or 1
            raise ProblemError("rate-limited", detail=f"Source {key!r} is limited to {rate}; retry later.",
                               headers={"Retry-After": str(retry_after)})
