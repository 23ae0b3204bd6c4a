"""One destination's deliveries: claim due rows, send them batch by batch, record each batch once sent."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from adapters.times import format_time, parse_time
from app.config.model import DeliverySettings
from app.delivery.destinations import Attempt, Destination
from app.delivery.journeys import Journeys, retry_at
from app.delivery.leases import LeaseKeeper, claim_limit
from app.delivery.policy import RetryPolicy
from app.storage.base import SqlStorage
from app.storage.outbox import Claimed, DeliveryOutcome

log = logging.getLogger("tagway.delivery")


class DestinationLane:
    """Delivers one destination's rows; a worker runs one lane per destination, so a slow one delays no other."""

    def __init__(self, destination: Destination, storage: SqlStorage, settings: DeliverySettings,
                 keeper: LeaseKeeper, clock: Callable[[], datetime], rng: random.Random,
                 journeys: Journeys | None = None) -> None:
        self.destination = destination
        self.journeys = journeys
        """Adds the journey before a chat to each UserChatOpen (the destination's `include_journey`)."""
        self.storage = storage
        self.keeper = keeper
        self.clock = clock
        self.rng = rng
        self.policy = RetryPolicy(max_attempts=destination.config.max_attempts,
                                  max_age=timedelta(hours=destination.config.max_age_hours))
        self.claim_limit = claim_limit(settings.lease_seconds,
                                       destination.config.timeout_seconds * destination.calls_per_batch,
                                       destination.batch_size, settings.claim_size)

    def run_round(self, halt: threading.Event) -> int:
        """Claim due rows and deliver them, each batch recorded as soon as it is sent; how many rows were claimed.

        When `halt` is set between batches, the rows not sent yet are given back at once.
        """
        now = self.clock()
        claimed = self.storage.claim(self.destination.id, format_time(now), self.keeper.lease_end(now),
                                     self.claim_limit, self.destination.ordered)
        if not claimed:
            return 0
        lease, size = claimed[0].lease, self.destination.batch_size
        with self.keeper.holding(lease):
            for start in range(0, len(claimed), size):
                if halt.is_set():
                    self.storage.release(lease, format_time(self.clock()))
                    break
                self._send(claimed[start:start + size])
        return len(claimed)

    def _send(self, batch: list[Claimed]) -> None:
        waiting: list[DeliveryOutcome] = []
        events = [row.event for row in batch]
        notes: list[str | None] = [None] * len(batch)
        if self.journeys is not None:
            now = self.clock()
            prepared = self.journeys.prepare(batch, now)
            # A chat whose journey is not projected yet goes back to pending for a moment, the try not counted.
            waiting = [DeliveryOutcome(p.row.outbox_id, "pending", p.row.attempts, format_time(retry_at(now)),
                                       None, "waiting for the journey before the chat", p.row.lease)
                       for p in prepared if p.event is None]
            ready = [p for p in prepared if p.event is not None]
            batch, events, notes = [p.row for p in ready], [p.event for p in ready if p.event], [p.note for p in ready]
        attempts = self.destination.deliver(events) if events else []
        moment = self.clock()
        outcomes = [self._outcome(row, attempt, moment) for row, attempt in zip(batch, attempts, strict=True)]
        outcomes = [o if note is None else replace(o, note="; ".join(filter(None, (o.note, note))))
                    for o, note in zip(outcomes, notes, strict=True)] + waiting
        self.storage.finish(outcomes, format_time(moment))
        dead = sum(1 for o in outcomes if o.status == "dead")
        if dead:
            log.warning("deliveries became dead letters", extra={"destination": self.destination.id, "count": dead})

    def _outcome(self, row: Claimed, attempt: Attempt, now: datetime) -> DeliveryOutcome:
        attempts = row.attempts + 1
        if attempt.result == "delivered":
            return DeliveryOutcome(row.outbox_id, "delivered", attempts, note=attempt.note, lease=row.lease)
        if attempt.result == "failed" or self.policy.gives_up(attempts, parse_time(row.created_at), now):
            return DeliveryOutcome(row.outbox_id, "dead", attempts, error=attempt.error, note=attempt.note,
                                   lease=row.lease)
        delay = self.policy.delay(attempts, self.rng, attempt.retry_after)
        return DeliveryOutcome(row.outbox_id, "pending", attempts, format_time(now + timedelta(seconds=delay)),
                               attempt.error, attempt.note, row.lease)
