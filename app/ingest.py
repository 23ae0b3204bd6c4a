"""The ingestion pipeline: normalize, validate, store in one transaction, then answer.

Every input ends in exactly one of two places: stored events, or a kept rejection.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from adapters.base import CUT_PROPERTIES, Problem
from app.config.model import Limits
from app.event.limits import property_problems, size_problem
from app.event.normalize import Arrival, Normalizer
from app.event.schema import EventValidator
from app.metrics import Metrics
from app.problems import ProblemError
from app.storage.base import Router, SqlStorage
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StorageUnavailable

log = logging.getLogger("tagway.ingest")

_REASON_OF_SLUG = {
    "invalid-json": "payload", "invalid-payload": "payload", "invalid-event": "schema",
    "unauthorized": "auth", "signature-invalid": "signature", "too-large": "too_large",
    "unsupported-media-type": "content_type", "not-found": "not_found", "invalid-parameter": "payload",
}
_MAX_KEPT_EVENT_BYTES = 64 * 1024


@dataclass(slots=True)
class Outcome:
    """The answer to an ingest: a status and a JSON body (a problem body when `problem`)."""

    status: int
    body: dict[str, Any]
    problem: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckedEvent:
    """One event after normalization and validation: valid when it has no problems."""

    index: int
    raw: Any
    event: Any
    problems: list[Problem] = field(default_factory=list)
    encoded: bytes = b""


def prefixed(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    """Problems of one event of many, their fields under `prefix` (e.g. `batch[3]`)."""
    if not prefix:
        return list(problems)
    return [replace(p, field=prefix if p.field == "event" else f"{prefix}.{p.field}") for p in problems]


class EventChecker:
    """Normalizes an event and checks it against the schema and the limits; no storage involved."""

    def __init__(self, validator: EventValidator, normalizer: Normalizer, limits: Limits) -> None:
        self.validator = validator
        self.normalizer = normalizer
        self.limits = limits

    def check(self, index: int, raw: Any, arrival: Arrival, item_field: str | None = None) -> CheckedEvent:
        """The normalized event and its problems (fields under `item_field[index]` for one of many)."""
        event, problems = self.normalizer.normalize(raw, arrival)
        checked = CheckedEvent(index, raw, event, problems)
        if not problems:
            problems = self.validator.problems(event)
        if not problems:
            problems = property_problems(event)
        if not problems:
            checked.encoded = orjson.dumps(event)
            too_big = size_problem(checked.encoded, self.limits.max_event_bytes)
            problems = [too_big] if too_big else []
        checked.problems = prefixed(problems, f"{item_field}[{index}]" if item_field else "")
        return checked


def _cut_short(event: dict[str, Any]) -> bool:
    """Whether the adapter shortened some of the event's values (it names them in `cutProperties`)."""
    properties = event.get("properties")
    return isinstance(properties, dict) and CUT_PROPERTIES in properties


class Ingestor:
    """Turns parsed input into stored events and kept rejections."""

    def __init__(self, storage: SqlStorage, checker: EventChecker, metrics: Metrics,
                 router: Router | None = None, keep_accepted_inputs: bool = False) -> None:
        self.storage = storage
        self.checker = checker
        self.limits = checker.limits
        self.metrics = metrics
        self.router = router
        self.keep_accepted_inputs = keep_accepted_inputs

    def accept(self, record: InputRecord, raw_events: Sequence[Any], arrival: Arrival,
               item_field: str | None = None) -> Outcome:
        """Check every event on its own, store the valid ones and keep the others, in one transaction."""
        if len(raw_events) > self.limits.max_batch_events:
            raise ProblemError("too-large", [Problem(
                item_field or "events", f"<{len(raw_events)} events>",
                f"at most {self.limits.max_batch_events} events per request")])
        check = self.checker.check
        checked = [check(index, raw, arrival, item_field) for index, raw in enumerate(raw_events)]
        valid = [c for c in checked if not c.problems]
        rejections = [self._rejection(record, arrival, c, item_field) for c in checked if c.problems]
        # The raw request is kept when something of it was refused (to show and replay it) or cut short
        # by the adapter; of an input accepted whole, the events are what is kept: its raw body (a
        # webhook's whole order, addresses and all) only when the configuration asks for it.
        keep = rejections or self.keep_accepted_inputs or any(_cut_short(c.event) for c in valid)
        kept_input = record if keep else None
        result = self.storage.store(kept_input, [EventRecord(c.event, c.encoded) for c in valid], rejections,
                                    self.router)
        stored_indexes = {valid[i].index for i in result.stored}
        rejection_ids = iter(result.rejection_ids)
        results = []
        for c in checked:
            item: dict[str, Any] = {"index": c.index}
            if isinstance(c.event, dict) and isinstance(c.event.get("id"), str):
                item["id"] = c.event["id"]
            if c.problems:
                item.update(status="rejected", rejectionId=next(rejection_ids),
                            errors=[p.as_dict() for p in c.problems])
            else:
                item["status"] = "stored" if c.index in stored_indexes else "duplicate"
            results.append(item)
        return self._outcome(arrival, results, checked, batch=item_field == "batch")

    def _rejection(self, record: InputRecord, arrival: Arrival, checked: CheckedEvent,
                   item_field: str | None) -> RejectionRecord:
        try:
            body = orjson.dumps(checked.raw)[:_MAX_KEPT_EVENT_BYTES]
        except TypeError:
            body = None
        return RejectionRecord(
            received_at=record.received_at, endpoint=record.endpoint, status=400, reason="schema",
            problems=[p.as_dict() for p in checked.problems], source_id=arrival.source.id,
            adapter=arrival.source.adapter, event_index=checked.index if item_field else None, event_body=body)

    def _outcome(self, arrival: Arrival, results: list[dict[str, Any]], checked: list[CheckedEvent],
                 batch: bool) -> Outcome:
        """200 with a result per event, or 400 when nothing of a single event or a webhook was accepted."""
        # A batch is an envelope: it is answered 200 with per-event results, even if all were refused.
        counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        for item in results:
            counts[item["status"]] += 1
        for status, count in counts.items():
            if count:
                self.metrics.count_events(arrival.source.id, status, count)
        if counts["rejected"]:
            self.metrics.count_rejections(arrival.source.id, "schema", counts["rejected"])
            log.warning("events rejected", extra={"source": arrival.source.id, "rejected": counts["rejected"]})
        summary = {"accepted": counts["stored"] + counts["duplicate"], "stored": counts["stored"],
                   "duplicates": counts["duplicate"], "rejected": counts["rejected"], "results": results}
        if results and counts["rejected"] == len(results) and not batch:
            error = ProblemError("invalid-event", [p for c in checked for p in c.problems],
                                 detail="No event was accepted; each rejected input is kept and can be replayed.")
            error.extra.update(summary)
            if len(results) == 1:
                error.extra["rejectionId"] = results[0]["rejectionId"]
            return Outcome(error.status, error.body(), problem=True)
        return Outcome(200, summary)

    def refuse(self, record: InputRecord, error: ProblemError) -> ProblemError:
        """Keep a refused input with its reason; the returned error names the kept rejection."""
        reason = _REASON_OF_SLUG.get(error.slug, error.slug)
        rejection = RejectionRecord(
            received_at=record.received_at, endpoint=record.endpoint, status=error.status, reason=reason,
            problems=[p.as_dict() for p in error.problems], source_id=record.source_id, adapter=record.adapter)
        try:
            rejection_id = self.storage.reject(record, rejection)
        except StorageUnavailable:
            log.exception("could not keep a rejected input", extra={"reason": reason})
            raise ProblemError("storage-unavailable", detail="The input was refused and could not be kept; "
                               "retry later.", headers={"Retry-After": "1"}) from None
        self.metrics.count_rejections(record.source_id or "", reason)
        log.warning("input rejected", extra={"source": record.source_id, "reason": reason,
                                             "rejection_id": rejection_id, "status": error.status})
        error.extra["rejectionId"] = rejection_id
        return error
