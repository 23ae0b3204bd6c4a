"""The delivery loop: claim due outbox rows, deliver them, record the outcome; enrich first where needed."""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from adapters.base import Adapter, ApiResponse, Event, PayloadInvalid
from adapters.times import format_time, parse_time
from app.config.model import DeliverySettings, SourceConfig
from app.delivery.destinations import Attempt, Destination
from app.delivery.policy import RetryPolicy
from app.delivery.router import ENRICH, Router
from app.event.check import EventChecker
from app.event.normalize import Arrival
from app.storage.base import SqlStorage
from app.storage.outbox import Claimed, DeliveryOutcome
from app.storage.records import InputRecord, RejectionRecord, StorageUnavailable

log = logging.getLogger("tagway.delivery")
CHUNK_TIMEOUT = timedelta(minutes=10)
MAX_ENRICHMENT_CALLS = 3  # an adapter may ask for the order, then its products; never loop without end
_TRANSIENT = frozenset({408, 429})


@dataclass
class WorkerParts:
    """What the worker needs from the gateway."""

    storage: SqlStorage
    destinations: Sequence[Destination]
    router: Router
    adapters: Mapping[str, Adapter]
    sources: Mapping[str, SourceConfig]
    checker: EventChecker
    settings: DeliverySettings
    clock: Callable[[], datetime]


class DeliveryWorker:
    """Runs deliveries until stopped; any number of workers may run on one database."""

    def __init__(self, parts: WorkerParts, rng: random.Random | None = None,
                 api_session: requests.Session | None = None) -> None:
        self.parts = parts
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self.api = api_session or requests.Session()
        self.policies = {d.id: RetryPolicy(max_attempts=d.config.max_attempts,
                                           max_age=timedelta(hours=d.config.max_age_hours))
                         for d in parts.destinations}
        self.enrich_policy = RetryPolicy(max_attempts=8, max_age=timedelta(hours=24))
        self._last_chunk_sweep: datetime | None = None

    def run_once(self) -> int:
        """One round over enrichment and every destination; how many rows were handled."""
        handled = self._enrich_round()
        for destination in self.parts.destinations:
            handled += self._deliver_round(destination)
        self._sweep_chunks()
        return handled

    def run_forever(self, stop: threading.Event, parent_pid: int | None = None) -> None:
        """Loop until `stop` is set (or the parent process is gone); idle rounds wait `poll_seconds`."""
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("the gateway that started this worker is gone; stopping")
                return
            try:
                handled = self.run_once()
            except StorageUnavailable as error:
                log.error("storage unavailable; retrying", extra={"error": str(error)})
                handled = 0
                stop.wait(1.0)
            if handled == 0:
                stop.wait(self.parts.settings.poll_seconds)

    # --- deliveries -------------------------------------------------------------------------

    def _deliver_round(self, destination: Destination) -> int:
        now = self.parts.clock()
        claimed = self.parts.storage.claim(destination.id, format_time(now), self._lease_end(now),
                                           self.parts.settings.claim_size, destination.ordered)
        outcomes: list[DeliveryOutcome] = []
        for start in range(0, len(claimed), destination.batch_size):
            batch = claimed[start:start + destination.batch_size]
            attempts = destination.deliver([row.event for row in batch])
            moment = self.parts.clock()
            outcomes.extend(self._outcome(row, attempt, self.policies[destination.id], moment)
                            for row, attempt in zip(batch, attempts, strict=True))
        if outcomes:
            self.parts.storage.finish(outcomes, format_time(self.parts.clock()))
            dead = sum(1 for o in outcomes if o.status == "dead")
            if dead:
                log.warning("deliveries became dead letters", extra={"destination": destination.id, "count": dead})
        return len(claimed)

    def _outcome(self, row: Claimed, attempt: Attempt, policy: RetryPolicy, now: datetime) -> DeliveryOutcome:
        attempts = row.attempts + 1
        if attempt.result == "delivered":
            return DeliveryOutcome(row.outbox_id, "delivered", attempts, note=attempt.note)
        if attempt.result == "failed" or policy.gives_up(attempts, parse_time(row.created_at), now):
            return DeliveryOutcome(row.outbox_id, "dead", attempts, error=attempt.error, note=attempt.note)
        delay = policy.delay(attempts, self.rng, attempt.retry_after)
        return DeliveryOutcome(row.outbox_id, "pending", attempts, format_time(now + timedelta(seconds=delay)),
                               attempt.error, attempt.note)

    def _lease_end(self, now: datetime) -> str:
        return format_time(now + timedelta(seconds=self.parts.settings.lease_seconds))

    # --- enrichment -------------------------------------------------------------------------

    def _enrich_round(self) -> int:
        now = self.parts.clock()
        claimed = self.parts.storage.claim(ENRICH, format_time(now), self._lease_end(now),
                                           min(self.parts.settings.claim_size, 50), ordered=False)
        for row in claimed:
            self._enrich(row)
        return len(claimed)

    def _enrich(self, row: Claimed) -> None:
        """Fetch and merge (an adapter may need several calls, e.g. an order, then its products), then validate.

        A passing failure retries the row later; a final one sends the event on as it was, the reason noted.
        """
        event, now = row.event, self.parts.clock()
        source_info: Any = event.get("source") or {}
        source = self.parts.sources.get(source_info.get("id", ""))
        adapter = self.parts.adapters.get(source_info.get("adapter", ""))
        if adapter is None or source is None:
            self._finish_enrichment(row, None, "delivered", None, now)
            return
        adapter_source = source.as_adapter_source()
        current, calls = event, 0
        while calls < MAX_ENRICHMENT_CALLS:
            request = adapter.enrichment_request(current, adapter_source)
            if request is None:
                break
            calls += 1
            try:
                answer = self.api.request(request.method, request.url, headers=dict(request.headers),
                                          timeout=self.parts.settings.enrich_timeout_seconds)
            except requests.RequestException as error:
                self._retry_enrichment(row, f"{request.method} {request.url}: {type(error).__name__}", now, None)
                return
            if answer.status_code in _TRANSIENT or answer.status_code >= 500:
                self._retry_enrichment(row, f"{request.method} {request.url} answered {answer.status_code}", now,
                                       Attempt.from_response(answer, "api").retry_after)
                return
            try:
                body = answer.json()
            except ValueError:
                body = None
            try:
                current = adapter.enrich(current, adapter_source, ApiResponse(answer.status_code, body))
            except PayloadInvalid as error:
                problem = error.problems[0]
                self._finish_enrichment(row, None, "dead", f"{problem.field}: expected {problem.expectation}", now)
                return
        if current is event:
            self._finish_enrichment(row, None, "delivered", None, now)
            return
        checked = self.parts.checker.check(0, current, _arrival_of(current, source))
        if checked.problems:
            reason = "; ".join(f"{p.field}: expected {p.expectation}" for p in checked.problems)
            self._finish_enrichment(row, None, "dead", f"the completed event is not valid: {reason}", now)
            return
        self._finish_enrichment(row, _kept_times(checked.event, event), "delivered", None, now)

    def _retry_enrichment(self, row: Claimed, error: str, now: datetime, retry_after: float | None) -> None:
        attempts = row.attempts + 1
        if self.enrich_policy.gives_up(attempts, parse_time(row.created_at), now):
            self._finish_enrichment(row, None, "dead", error, now)
            return
        delay = self.enrich_policy.delay(attempts, self.rng, retry_after)
        self.parts.storage.finish([DeliveryOutcome(row.outbox_id, "pending", attempts,
                                                   format_time(now + timedelta(seconds=delay)), error)],
                                  format_time(now))

    def _finish_enrichment(self, row: Claimed, event: Event | None, status: str, error: str | None,
                           now: datetime) -> None:
        """Store the completed event (if any) and queue it for its destinations in one transaction."""
        destinations = self.parts.router.destinations_for(event or row.event)
        note = "delivered without enrichment" if status == "dead" else None
        outcome = DeliveryOutcome(row.outbox_id, status, row.attempts + 1, error=error, note=note)
        self.parts.storage.replace_event(outcome, row.event_seq, event, destinations, format_time(now))

    # --- chunked collect payloads that never completed ----------------------------------------

    def _sweep_chunks(self) -> None:
        now = self.parts.clock()
        if self._last_chunk_sweep is not None and now - self._last_chunk_sweep < timedelta(minutes=1):
            return
        self._last_chunk_sweep = now
        for lost in self.parts.storage.expired_chunks(format_time(now - CHUNK_TIMEOUT)):
            record = InputRecord(received_at=lost["firstAt"], endpoint="collect", method="GET", path="/v1/collect",
                                 body=b"", body_size=0, source_id=lost["sourceId"])
            problem = {"field": "c", "value": f"{lost['received']} of {lost['parts']} chunks",
                       "expectation": f"every chunk of payload {lost['payloadId']} within "
                                      f"{int(CHUNK_TIMEOUT.total_seconds() // 60)} minutes"}
            self.parts.storage.reject(record, RejectionRecord(
                received_at=lost["firstAt"], endpoint="collect", status=400, reason="payload",
                problems=[problem], source_id=lost["sourceId"]))


def _arrival_of(event: Event, source: SourceConfig) -> Arrival:
    """The arrival of a stored event, so that re-checking it changes nothing the gateway set."""
    context = event.get("context") or {}
    return Arrival(received_at=parse_time(event["receivedAt"]), source=source.as_adapter_source(),
                   ip=context.get("ip"), user_agent=context.get("userAgent"))


def _kept_times(enriched: Event, original: Event) -> Event:
    """The completed event keeps the original's id, times and source."""
    return {**enriched, **{k: original[k] for k in ("id", "occurredAt", "receivedAt", "source") if k in original}}
