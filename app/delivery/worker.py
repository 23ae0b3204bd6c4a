"""The delivery worker: one lane per destination and one for enrichment, each in its own thread.

A destination that hangs holds only its own lane: the others keep claiming and sending. Leases are
renewed while rows are being sent (`LeaseKeeper`), and every batch is recorded as soon as it is sent.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from adapters.base import Adapter, ApiResponse, Event, PayloadInvalid
from adapters.times import format_time, parse_time
from app.config.model import DeliverySettings, RetentionSettings, SourceConfig
from app.delivery.destinations import Attempt, Destination
from app.delivery.journeys import Journeys
from app.delivery.lane import DestinationLane
from app.delivery.leases import LeaseKeeper, claim_limit
from app.delivery.policy import RetryPolicy
from app.delivery.router import ENRICH, Router
from app.event.check import EventChecker
from app.event.normalize import Arrival
from app.projections import ProjectionRunner
from app.sources.catalog import SourceCatalog
from app.storage.base import SqlStorage
from app.storage.outbox import Claimed, DeliveryOutcome
from app.storage.records import InputRecord, RejectionRecord, StorageUnavailable
from app.storage.retention import Purger

log = logging.getLogger("tagway.delivery")
CHUNK_TIMEOUT = timedelta(minutes=10)
MAX_ENRICHMENT_CALLS = 3  # an adapter may ask for the order, then its products; never loop without end
MAX_ENRICHMENT_CLAIM = 50
STOP_GRACE_SECONDS = 15.0  # how long a stopping worker waits for lanes in the middle of a request
_TRANSIENT = frozenset({408, 429})

Round = Callable[[threading.Event], int]
"""One round of a lane: claim, send, record; how many rows it claimed (stopping early once the event is set)."""


@dataclass
class WorkerParts:
    """What the worker needs from the gateway."""

    storage: SqlStorage
    destinations: Sequence[Destination]
    router: Router
    adapters: Mapping[str, Adapter]
    sources: SourceCatalog
    checker: EventChecker
    settings: DeliverySettings
    clock: Callable[[], datetime]
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    projections: ProjectionRunner | None = None
    """The projections this worker moves forward, in a lane of their own (off the ingestion path)."""


PROJECTIONS = "@projections"
"""The name of the projections' lane (a thread beside the destinations')."""


class DeliveryWorker:
    """Runs deliveries until stopped; any number of workers may run on one database."""

    def __init__(self, parts: WorkerParts, rng: random.Random | None = None,
                 api_session: requests.Session | None = None) -> None:
        self.parts = parts
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self.api = api_session or requests.Session()
        self.keeper = LeaseKeeper(parts.storage, parts.settings.lease_seconds, parts.clock)
        self.lanes = [DestinationLane(d, parts.storage, parts.settings, self.keeper, parts.clock, self.rng,
                                      Journeys(parts.storage) if d.config.include_journey else None)
                      for d in parts.destinations]
        self.enrich_policy = RetryPolicy(max_attempts=8, max_age=timedelta(hours=24))
        self.enrich_claim_limit = claim_limit(parts.settings.lease_seconds,
                                              parts.settings.enrich_timeout_seconds * MAX_ENRICHMENT_CALLS, 1,
                                              min(parts.settings.claim_size, MAX_ENRICHMENT_CLAIM))
        self._last_chunk_sweep: datetime | None = None
        self.purger = Purger(parts.storage, parts.retention)
        self._last_purge: datetime | None = None
        self._failure: Exception | None = None

    def run_once(self) -> int:
        """Everything due now: enrichment, then every destination side by side; how many rows were handled."""
        with self.keeper.running():
            handled = _drain(self._enrich_round, self.enrich_claim_limit)  # first: what it completes goes out now
            with ThreadPoolExecutor(max_workers=max(len(self.lanes), 1), thread_name_prefix="tagway-delivery") as pool:
                handled += sum(pool.map(self._drain_in_own_thread, self.lanes))
        self.project_all()
        self._sweep_chunks()
        self._purge_if_due(threading.Event())
        return handled

    def run_forever(self, stop: threading.Event, parent_pid: int | None = None) -> None:
        """Run every lane in its own thread until `stop` is set, the parent process is gone or a lane failed."""
        halt = threading.Event()
        rounds: list[tuple[str, Round]] = [(ENRICH, self._enrich_round)]
        rounds += [(lane.destination.id, lane.run_round) for lane in self.lanes]
        if self.parts.projections is not None and self.parts.projections.projections:
            rounds.append((PROJECTIONS, self.parts.projections.run_round))
        threads = [threading.Thread(target=self._keep_running, args=(round_, halt), name=f"tagway-delivery {name}",
                                    daemon=True) for name, round_ in rounds]
        with self.keeper.running():
            for thread in threads:
                thread.start()
            try:
                while not halt.is_set() and not stop.wait(self.parts.settings.poll_seconds):
                    if parent_pid is not None and os.getppid() != parent_pid:
                        log.warning("the gateway that started this worker is gone; stopping")
                        break
                    try:
                        self._sweep_chunks()
                        self._purge_if_due(stop)
                    except StorageUnavailable as error:
                        log.error("storage unavailable; retrying", extra={"error": str(error)})
            finally:
                halt.set()
                deadline = time.monotonic() + STOP_GRACE_SECONDS
                for thread in threads:  # a lane still waiting for an answer is left: its lease returns its rows
                    thread.join(max(deadline - time.monotonic(), 0.0))
        if self._failure is not None:
            raise self._failure

    def _keep_running(self, round_: Round, halt: threading.Event) -> None:
        """A lane's loop: rounds back to back while there is work, `poll_seconds` apart when there is none."""
        try:
            while not halt.is_set():
                try:
                    handled = round_(halt)
                except StorageUnavailable as error:
                    log.error("storage unavailable; retrying", extra={"error": str(error)})
                    halt.wait(1.0)
                    continue
                if handled == 0:
                    halt.wait(self.parts.settings.poll_seconds)
        except Exception as error:  # a bug: the whole worker stops, as one loop did, and its supervisor restarts it
            self._failure = error
            halt.set()
        finally:
            self.parts.storage.close()

    def project_all(self) -> int:
        """Apply every stored event to the projections (a round of `run_once`); how many were applied."""
        runner = self.parts.projections
        if runner is None:
            return 0
        newest = runner.newest_seq()
        return sum(runner.catch_up(name, newest) for name in runner.projections)

    def _drain_in_own_thread(self, lane: DestinationLane) -> int:
        """A lane's due rows from a pool thread, whose connection is closed after it."""
        try:
            return _drain(lane.run_round, lane.claim_limit)
        finally:
            self.parts.storage.close()

    # --- enrichment -------------------------------------------------------------------------

    def _enrich_round(self, halt: threading.Event) -> int:
        """Complete claimed events one by one, each recorded when done; how many rows were claimed."""
        now = self.parts.clock()
        claimed = self.parts.storage.claim(ENRICH, format_time(now), self.keeper.lease_end(now),
                                           self.enrich_claim_limit, ordered=False)
        if not claimed:
            return 0
        lease = claimed[0].lease
        with self.keeper.holding(lease):
            for row in claimed:
                if halt.is_set():
                    self.parts.storage.release(lease, format_time(self.parts.clock()))
                    break
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
                                                   format_time(now + timedelta(seconds=delay)), error,
                                                   lease=row.lease)], format_time(now))

    def _finish_enrichment(self, row: Claimed, event: Event | None, status: str, error: str | None,
                           now: datetime) -> None:
        """Store the completed event (if any) and queue it for its destinations in one transaction."""
        destinations = self.parts.router.destinations_for(event or row.event)
        note = "delivered without enrichment" if status == "dead" else None
        outcome = DeliveryOutcome(row.outbox_id, status, row.attempts + 1, error=error, note=note, lease=row.lease)
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


    # --- retention -------------------------------------------------------------------------

    def _purge_if_due(self, stop: threading.Event) -> None:
        """Every `interval_minutes`, delete what is over age (in short batches), then shrink SQLite's log."""
        now = self.parts.clock()
        interval = timedelta(minutes=self.parts.retention.interval_minutes)
        if self._last_purge is not None and now - self._last_purge < interval:
            return
        self._last_purge = now
        purged = {kind: count.deleted for kind, count in self.purger.purge(now, stop).items() if count.deleted}
        if purged:
            log.info("purged rows over their retention", extra={"purged": purged})
        self.parts.storage.truncate_log()


def _drain(round_: Round, limit: int) -> int:
    """Rounds until one claims less than a full claim; how many rows were claimed.

    It ends: a row is claimed again only once due again, and every try counts towards its retry limit.
    """
    handled, never = 0, threading.Event()
    while True:
        claimed = round_(never)
        handled += claimed
        if claimed < limit:
            return handled


def _arrival_of(event: Event, source: SourceConfig) -> Arrival:
    """The arrival of a stored event, so that re-checking it changes nothing the gateway set."""
    context = event.get("context") or {}
    return Arrival(received_at=parse_time(event["receivedAt"]), source=source.as_adapter_source(),
                   ip=context.get("ip"), user_agent=context.get("userAgent"))


def _kept_times(enriched: Event, original: Event) -> Event:
    """The completed event keeps the original's id, times and source."""
    return {**enriched, **{k: original[k] for k in ("id", "occurredAt", "receivedAt", "source") if k in original}}
