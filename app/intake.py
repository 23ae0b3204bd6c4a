"""The two ways in: the canonical events API and provider webhooks, for live requests and replays."""

from __future__ import annotations

import logging

from adapters.base import Adapter, InboundRequest, PayloadInvalid, Reply, SignatureInvalid, Source
from adapters.canonical import parse_canonical
from app.config.model import SourceConfig
from app.event.normalize import Arrival
from app.ingest import Ingestor, Outcome
from app.problems import ProblemError
from app.storage.records import InputRecord

log = logging.getLogger("tagway.intake")

JSON_TYPES = ("application/json", "text/plain")
"""`text/plain` too: navigator.sendBeacon and no-preflight fetches send JSON that way."""


class Intake:
    """Runs an input through authentication-independent steps: content, signature, parsing, ingest."""

    def __init__(self, ingestor: Ingestor) -> None:
        self.ingestor = ingestor

    def events_api(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig) -> Outcome:
        """`POST /v1/events`: one canonical event or `{"batch": [...]}`."""
        media = inbound.content_type
        if not (media in JSON_TYPES or media.endswith("+json")):
            raise self.ingestor.refuse(record, ProblemError("unsupported-media-type", [PayloadInvalid(
                "Content-Type", inbound.header("content-type"), "application/json").problems[0]]))
        try:
            events, is_batch = parse_canonical(inbound.json())
        except PayloadInvalid as error:
            slug = "invalid-json" if error.problems[0].field == "body" else "invalid-payload"
            raise self.ingestor.refuse(record, ProblemError(slug, error.problems)) from None
        arrival = self._arrival(inbound, record, Source(source.id, "canonical", source.settings))
        return self.ingestor.accept(record, events, arrival, "batch" if is_batch else None)

    def webhook(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig,
                adapter: Adapter) -> Outcome | Reply:
        """`POST /v1/webhooks/<source>`: the adapter's handshake, signature check and parsing."""
        adapter_source = source.as_adapter_source()
        reply = adapter.respond(inbound, adapter_source)
        if reply is not None:
            return reply
        try:
            adapter.verify(inbound, adapter_source)
        except SignatureInvalid as error:
            problem = PayloadInvalid(error.header or "signature", None, error.reason).problems
            raise self.ingestor.refuse(record, ProblemError("signature-invalid", problem)) from None
        return self._parse_and_accept(inbound, record, adapter_source, adapter)

    def collect(self, inbound: InboundRequest, record: InputRecord, source: SourceConfig,
                adapter: Adapter) -> Outcome:
        """`/v1/collect`: a browser's or a server template's payload, its write key already checked."""
        return self._parse_and_accept(inbound, record, source.as_adapter_source(), adapter)

    def _parse_and_accept(self, inbound: InboundRequest, record: InputRecord, source: Source,
                          adapter: Adapter) -> Outcome:
        try:
            events = adapter.parse(inbound, source)
        except PayloadInvalid as error:
            slug = "invalid-json" if error.problems[0].field in ("body", "d") else "invalid-payload"
            raise self.ingestor.refuse(record, ProblemError(slug, error.problems)) from None
        if not events:
            return Outcome(200, {"accepted": 0, "stored": 0, "duplicates": 0, "rejected": 0, "results": [],
                                 "note": "acknowledged: nothing to record for this input"})
        arrival = self._arrival(inbound, record, source)
        return self.ingestor.accept(record, events, arrival, "events" if len(events) > 1 else None)

    def _arrival(self, inbound: InboundRequest, record: InputRecord, source: Source) -> Arrival:
        # The kept input's time is the arrival's, already formatted.
        return Arrival(received_at=inbound.received_at, source=source, ip=inbound.remote_addr,
                       user_agent=inbound.header("user-agent"), received_text=record.received_at)

