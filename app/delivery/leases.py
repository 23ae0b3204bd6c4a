"""Claims sized to their lease, and a keeper that renews the leases of the claims being sent."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from adapters.times import format_time
from app.storage.base import SqlStorage
from app.storage.records import StorageUnavailable

log = logging.getLogger("tagway.delivery")
RENEWALS_PER_LEASE = 3  # a lease is renewed when a third of it is gone: two renewals may fail before it ends


def claim_limit(lease_seconds: float, batch_seconds: float, batch_size: int, most: int) -> int:
    """Rows per claim: the batches that fit in half the lease even if each one runs to its timeout (≥ 1 batch).

    The lease is renewed while sending, so this does not make a slow round safe; it bounds what one
    worker holds, so that what a dead worker held waits no longer than one lease.
    """
    batches = max(1, int((lease_seconds / 2) // batch_seconds))
    return max(1, min(most, batches * batch_size))


class LeaseKeeper:
    """Renews the leases of the claims a worker's lanes hold, so that another worker never takes a row being sent."""

    def __init__(self, storage: SqlStorage, lease_seconds: float, clock: Callable[[], datetime]) -> None:
        self.storage = storage
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def lease_end(self, now: datetime) -> str:
        """When a lease taken or renewed `now` ends."""
        return format_time(now + timedelta(seconds=self.lease_seconds))

    @contextmanager
    def holding(self, lease: str) -> Iterator[None]:
        """Keep this claim's lease renewed while the block runs."""
        with self._lock:
            self._held.add(lease)
        try:
            yield
        finally:
            with self._lock:
                self._held.discard(lease)

    def renew(self) -> int:
        """Extend every held lease to a whole lease from now; how many rows were still held."""
        with self._lock:
            leases = sorted(self._held)
        now = self.clock()
        return self.storage.renew(leases, self.lease_end(now), format_time(now))

    @contextmanager
    def running(self) -> Iterator[None]:
        """Renew in a background thread while the block runs."""
        done = threading.Event()
        thread = threading.Thread(target=self._run, args=(done,), name="tagway-delivery-leases", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def _run(self, done: threading.Event) -> None:
        try:
            while not done.wait(self.lease_seconds / RENEWALS_PER_LEASE):
                try:
                    self.renew()
                except StorageUnavailable as error:
                    log.error("could not renew delivery leases; retrying", extra={"error": str(error)})
        finally:
            self.storage.close()
