"""The ingestion pipeline: the source's adapter, each event checked, all stored in one transaction, then answered.

Every input ends in exactly one of two places: stored events, or a kept rejection. `Pipeline.run` is the only way
out for a refused input: whatever refuses it (a handler, the adapter, the limits) raises a `ProblemError`, and `run`
keeps the input through `refuse` before answering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from adapters.base import (
    CUT_PROPERTIES,
    Adapter,
    Batch,
    InboundRequest,
    PayloadInvalid,
    Problem,
    SignatureInvalid,
    Source,
)
from app.config.model import SourceConfig
from app.event.check import CheckedEvent, EventChecker, prefixed
from app.event.normalize import Arrival
from app.event.witnesses import witness_kind
from app.ingest.outcome import Outcome
from app.metrics import Metrics
from app.problems import ProblemError, storage_unavailable
from app.ratelimit import RateLimits
from app.storage.base import Router, SqlStorage
from app.storage.records import EventRecord, InputRecord, RejectionRecord, StorageUnavailable

log = logging.getLogger("tagway.ingest")

T = TypeVar("T")
JSON_TYPES = ("application/json", "text/plain")
"""`text/plain` too: navigator.sendBeacon and no-preflight fetches send JSON that way."""
_REASON_OF_SLUG = {
    "invalid-json": "payload", "invalid-payload": "payload", "invalid-body": "payload", "invalid-event": "schema",
    "unauthorized": "auth", "signature-invalid": "signature", "too-large": "too_large",
    "unsupported-media-type": "content_type", "not-found": "not_found", "invalid-parameter": "payload",
    "method-not-allowed": "method", "malformed-request": "malformed", "uri-too-long": "malformed",
    "headers-too-large": "malformed", "expectation-failed": "malformed", "unsupported-transfer-coding": "malformed",
    "adapter-error": "adapter_error", "internal-error": "internal_error", "rate-limited": "rate_limited",
}
_NOT_KEPT = frozenset({"rate-limited"})
"""Refusals counted but not kept: the sender is told to send the same input again later."""
_BEFORE_AUTHENTICATION = frozenset({"unauthorized", "signature-invalid", "not-found", "method-not-allowed",
                                    "malformed-request", "uri-too-long", "headers-too-large", "expectation-failed",
                                    "unsupported-transfer-coding"})
"""Refusals of callers not (yet) known: anyone can send them, so they are kept within a budget, then counted."""
_UNAUTHENTICATED_KEPT_BYTES = 4096
_MAX_KEPT_EVENT_BYTES = 64 * 1024
_NOTHING_TO_RECORD = {"accepted": 0, "stored": 0, "duplicates": 0, "rejected": 0, "results": [],
                      "note": "acknowledged: nothing to record for this input"}


def _check_media_type(inbound: InboundRequest, accepted: Sequence[str] | None, required: bool = False) -> None:
    """Refuse a body whose Content-Type is not one `accepted` (`+json` types count as JSON); none may be required."""
    media = inbound.content_type
    if accepted is None or (not media and not required):
        return
    if media in accepted or ("application/json" in accepted and media.endswith("+json")):
        return
    raise ProblemError("unsupported-media-type", [Problem(
        "Content-Type", inbound.header("content-type"), " or ".join(accepted))])


def _cut_short(event: dict[str, Any]) -> bool:
    """Whether the adapter shortened some of the event's values (it names them in `cutProperties`)."""
    properties = event.get("properties")
    return isinstance(properties, dict) and CUT_PROPERTIES in properties


class Pipeline:
    """Turns an authenticated input into stored events and kept rejections."""

    def __init__(self, storage: SqlStorage, checker: EventChecker, metrics: Metrics,
                 router: Router | None = None, keep_accepted_inputs: bool = False,
                 rate_limits: RateLimits | None = None, witness_wait_seconds: float = 0.0) -> None:
        self.rate_limits = rate_limits
        self.witness_wait_seconds = witness_wait_seconds
        self.storage = storage
        self.checker = checker
        self.limits = checker.limits
        self.metrics = metrics
        self.router = router
        self.keep_accepted_inputs = keep_accepted_inputs

    # The one exit of a refused input.

    def run(self, record: InputRecord, step: Callable[..., Outcome], *args: Any) -> Outcome:
        """Run `step(*args)` for the input `record`; a refusal leaving it is kept, a storage failure answered 503."""
        try:
            return step(*args)
        except ProblemError as error:
            return self.refuse(record, error)
        except StorageUnavailable as error:
            log.error("storage unavailable", extra={"error": str(error)})
            return Outcome.of_problem(storage_unavailable())
        except Exception:  # a bug must not lose the input: it is kept, to be replayed once fixed
            log.exception("unexpected error while ingesting", extra={"source": record.source_id})
            return self.refuse(record, ProblemError("internal-error", [Problem(
                "request", None, "a request the gateway can process")],
                detail="The error is logged; the input is kept and can be replayed."))

    def refuse(self, record: InputRecord, error: ProblemError) -> Outcome:
        """Keep a refused input with its reason; the answer names the kept rejection."""
        reason = _REASON_OF_SLUG.get(error.slug, error.slug.replace("-", "_"))
        if error.slug in _NOT_KEPT:
            self.metrics.count_rejections(record.source_id or "", reason)
            return Outcome.of_problem(error)
        if error.slug in _BEFORE_AUTHENTICATION:
            # Unauthenticated amplification: a sample is kept (small), the flood is counted.
            if not self._within_unauthenticated_budget(record):
                self.metrics.count_rejection_not_kept(reason)
                return Outcome.of_problem(error)
            if record.source_id is None:  # a known source's refused delivery is kept whole, to replay once fixed
                record.body = record.body[:_UNAUTHENTICATED_KEPT_BYTES]
        self.metrics.count_rejections(record.source_id or "", reason)
        rejection = RejectionRecord(
            received_at=record.received_at, endpoint=record.endpoint, status=error.status, reason=reason,
            problems=[p.as_dict() for p in error.problems], source_id=record.source_id, adapter=record.adapter)
        try:
            rejection_id = self.storage.reject(record, rejection)
        except StorageUnavailable:
            log.exception("could not keep a rejected input", extra={"reason": reason})
            return Outcome.of_problem(ProblemError(
                "storage-unavailable", detail="The input was refused and could not be kept; retry later.",
                headers={"Retry-After": "1"}))
        log.warning("input rejected", extra={"source": record.source_id, "reason": reason,
                                             "rejection_id": rejection_id, "status": error.status})
        error.extra["rejectionId"] = rejection_id
        return Outcome.of_problem(error)

    def _within_unauthenticated_budget(self, record: InputRecord) -> bool:
        if self.rate_limits is None:
            return True
        key = f"unauthenticated:{record.endpoint}:{record.source_id or '-'}"
        return self.rate_limits.allows(key, self.limits.unauthenticated_rejections)

    # The ways in, once the source is known.

    def events_api(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig,
                   adapter: Adapter) -> Outcome:
        """`POST /v1/events`: the body read by the adapter that serves the events API."""
        _check_media_type(inbound, JSON_TYPES, required=True)
        return self._parse_and_accept(inbound, record, Source(source.id, adapter.name), adapter, source.site)

    def webhook(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig,
                adapter: Adapter) -> Outcome:
        """`POST /v1/webhooks/<source>`: the adapter's handshake, signature check and parsing."""
        adapter_source = source.as_adapter_source()
        reply = self._call(adapter, adapter.respond, inbound, adapter_source)
        if reply is not None:
            return Outcome.of_reply(reply)
        _check_media_type(inbound, adapter.content_types)
        try:
            self._call(adapter, adapter.verify, inbound, adapter_source)
        except SignatureInvalid as error:
            problem = Problem(error.header or "signature", None, error.reason)
            raise ProblemError("signature-invalid", [problem]) from None
        return self._parse_and_accept(inbound, record, adapter_source, adapter, source.site)

    def collect(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig,
                adapter: Adapter) -> Outcome:
        """`/v1/collect`: a browser's or a server template's payload, its write key already checked."""
        if inbound.body:
            _check_media_type(inbound, adapter.content_types)
        return self._parse_and_accept(inbound, record, source.as_adapter_source(), adapter, source.site)

    def tracking_api(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig,
                     adapter: Adapter) -> Outcome:
        """Segment's HTTP Tracking API (`/v1/track`, `/v1/batch`, ...): a call or a batch, its write key checked."""
        _check_media_type(inbound, adapter.content_types)
        return self._parse_and_accept(inbound, record, source.as_adapter_source(), adapter, source.site)

    def _call(self, adapter: Adapter, method: Callable[..., T], *args: Any) -> T:
        """An adapter's method; what it raises beyond its contract is an adapter error (the input is kept)."""
        try:
            return method(*args)
        except (PayloadInvalid, SignatureInvalid):
            raise
        except Exception as error:
            log.exception("adapter failed", extra={"adapter": adapter.name})
            raise ProblemError("adapter-error", [Problem(
                "body", None, f"an input the {adapter.name!r} adapter can read; it failed with "
                f"{type(error).__name__} (logged): replay the kept input once the adapter is fixed")]) from error

    def _parse_and_accept(self, inbound: InboundRequest, record: InputRecord, source: Source,
                          adapter: Adapter, site: str | None) -> Outcome:
        try:
            events = self._call(adapter, adapter.parse, inbound, source)
        except PayloadInvalid as error:
            slug = "invalid-json" if error.problems[0].field in ("body", "d") else "invalid-payload"
            raise ProblemError(slug, error.problems) from None
        if not events:
            return Outcome(200, dict(_NOTHING_TO_RECORD))
        arrival = Arrival(received_at=inbound.received_at, source=source, ip=inbound.remote_addr,
                          user_agent=inbound.header("user-agent"), site=site, received_text=record.received_at,
                          platform_pixel=adapter.platform_pixel)
        if isinstance(events, Batch):
            return self.accept(record, events, arrival, events.field, batch=True, dropped=events.dropped)
        return self.accept(record, events, arrival, "events" if len(events) > 1 else None)

    # Checking and storing.

    def accept(self, record: InputRecord, raw_events: Sequence[Any], arrival: Arrival,
               item_field: str | None = None, batch: bool = False,
               dropped: Mapping[int, Sequence[Problem]] | None = None) -> Outcome:
        """Check every event on its own, store the valid ones and keep the others, in one transaction.

        `dropped`: what the adapter left out of some events (by index); they are stored without it, and a
        rejection of reason `dropped` is kept beside them so that the rejection list says what and why.
        """
        if len(raw_events) > self.limits.max_batch_events:
            raise ProblemError("too-large", [Problem(
                item_field or "events", f"<{len(raw_events)} events>",
                f"at most {self.limits.max_batch_events} events per request")])
        check = self.checker.check
        checked = [check(index, raw, arrival, item_field) for index, raw in enumerate(raw_events)]
        valid = [c for c in checked if not c.problems]
        rejections = [self._rejection(record, arrival, c, item_field) for c in checked if c.problems]
        left_out = {c.index: prefixed(dropped[c.index], f"{item_field}[{c.index}]" if item_field else "")
                    for c in valid if c.index in dropped} if dropped else {}
        if left_out:
            rejections += [self._rejection(record, arrival, c, item_field, left_out[c.index])
                           for c in valid if c.index in left_out]
            self.metrics.count_rejections(arrival.source.id, "dropped", len(left_out))
        # The raw request is kept when something of it was refused (to show and replay it) or cut short
        # by the adapter; of an input accepted whole, the events are what is kept: its raw body (a
        # webhook's whole order, addresses and all) only when the configuration asks for it.
        keep = rejections or self.keep_accepted_inputs or any(_cut_short(c.event) for c in valid)
        kept_input = record if keep else None
        kind = witness_kind(record.endpoint, arrival.platform_pixel) if arrival.site is not None else None
        records = [EventRecord(c.event, c.encoded, kind if c.witnessed else None) for c in valid]
        result = self.storage.store(kept_input, records, rejections, self.router, self.witness_wait_seconds)
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
        for item in results if left_out else ():  # their rejections come after the refused ones, in order
            if item["index"] in left_out:
                item.update(rejectionId=next(rejection_ids), dropped=[p.as_dict() for p in left_out[item["index"]]])
        return self._outcome(arrival, results, checked, batch)

    def _rejection(self, record: InputRecord, arrival: Arrival, checked: CheckedEvent,
                   item_field: str | None, dropped: Sequence[Problem] = ()) -> RejectionRecord:
        """A refused event (reason `schema`), or a stored one the adapter left something out of (`dropped`)."""
        try:
            body = orjson.dumps(checked.raw)[:_MAX_KEPT_EVENT_BYTES]
        except TypeError:
            body = None
        return RejectionRecord(
            received_at=record.received_at, endpoint=record.endpoint, status=200 if dropped else 400,
            reason="dropped" if dropped else "schema",
            problems=[p.as_dict() for p in dropped or checked.problems], source_id=arrival.source.id,
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
            return Outcome.of_problem(error)
        return Outcome(200, summary)
