"""Lockout of admin-token guessing: too many wrong tokens from one client address lock that address out a while."""

from __future__ import annotations

import logging

from flask import current_app
from limits import RateLimitItemPerSecond

from app.ratelimit import RateLimits

log = logging.getLogger("tagway.auth")
_EXTENSION = "tagway.lockout"


class Lockout:
    """Counts failed admin-token attempts per client address in a moving window, with the gateway's rate limits.

    Memory storage counts in each process; the `[limits] rate_limit_storage` URI of a Redis or
    Memcached server counts across workers and machines, as the source rate limits do.
    """

    def __init__(self, failures: int, window_seconds: int, counter: RateLimits) -> None:
        self._item = RateLimitItemPerSecond(failures, window_seconds)
        self._counter = counter

    @staticmethod
    def _key(address: str | None) -> str:
        return f"admin-token-failures/{address or 'unknown'}"

    def retry_after(self, address: str | None) -> int | None:
        """Seconds until `address` may try again, or None when it is not locked out."""
        return self._counter.seconds_until_allowed(self._key(address), self._item)

    def record_failure(self, address: str | None, where: str) -> None:
        """Count a wrong admin token from `address` and log it (never the token presented)."""
        self._counter.allows(self._key(address), self._item)
        log.warning("wrong admin token", extra={"client": address, "where": where})


def current_lockout() -> Lockout:
    """The lockout of the current app, made on first use from its configuration."""
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        gateway = current_app.extensions["tagway"]
        found = current_app.extensions.setdefault(_EXTENSION, Lockout(
            gateway.config.admin.lockout_failures, gateway.config.admin.lockout_seconds, gateway.rate_limits))
    assert isinstance(found, Lockout)
    return found
