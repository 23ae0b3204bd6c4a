"""Lockout of admin-token guessing: too many wrong tokens from one client address lock that address out a while."""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.config.model import GatewayConfig

log = logging.getLogger("tagway.auth")
_EXTENSION = "tagway.lockout"


class Lockout:
    """Counts failed admin-token attempts per client address in a moving window (the `limits` library).

    Memory storage counts in each process; the `[limits] rate_limit_storage` URI of a Redis or
    Memcached server counts across workers and machines, as the source rate limits do.
    """

    def __init__(self, failures: int, window_seconds: int, storage_uri: str = "memory://") -> None:
        self._item = RateLimitItemPerSecond(failures, window_seconds)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    @staticmethod
    def _key(address: str | None) -> str:
        return f"admin-token-failures/{address or 'unknown'}"

    def retry_after(self, address: str | None) -> int | None:
        """Seconds until `address` may try again, or None when it is not locked out."""
        key = self._key(address)
        if self._limiter.test(self._item, key):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(self._item, key)
        return max(1, math.ceil(reset_at - time.time()))

    def record_failure(self, address: str | None, where: str) -> None:
        """Count a wrong admin token from `address` and log it (never the token presented)."""
        self._limiter.hit(self._item, self._key(address))
        log.warning("wrong admin token", extra={"client": address, "where": where})


def current_lockout() -> Lockout:
    """The lockout of the current app, made on first use from its configuration."""
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        config: GatewayConfig = current_app.extensions["tagway"].config
        found = current_app.extensions.setdefault(_EXTENSION, Lockout(
            config.admin.lockout_failures, config.admin.lockout_seconds, config.limits.rate_limit_storage))
    assert isinstance(found, Lockout)
    return found
