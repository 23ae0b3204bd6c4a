"""Normalization: what the gateway adds to every event before it is validated and stored."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from adapters.base import Event, Problem, Source
from adapters.consent import anonymized_ip
from adapters.times import format_time, in_canonical_form, parse_time
from app.event.canonical_url import Canonicalizer
from app.event.schema import event_schema

FIELD_ORDER = ("id", "name", "occurredAt", "receivedAt", "source", "user", "page", "properties",
               "commerce", "context")
_ADAPTER_SOURCE_FIELDS = ("topic", "deliveryId", "shop")
# A queued event may be sent days after it happened; beyond a year the clocks are not to be trusted.
MAX_SEND_DELAY = timedelta(days=365)
MAX_FUTURE = timedelta(days=1)
_NO_DELAY = timedelta(0)


@lru_cache(maxsize=256)
def _sent_time(text: str) -> datetime:
    """A `sentAt`, read once per batch: every event of a batch carries the batch's (Segment's, tagway.js's)."""
    return parse_time(text)


_TIME_EXPECTATION = "an RFC 3339 time with an offset, e.g. 2026-11-24T09:30:00.000Z"


@dataclass(slots=True)
class Arrival:
    """How an input reached the gateway: when, from where, through which source."""

    received_at: datetime
    source: Source
    ip: str | None = None
    user_agent: str | None = None
    site: str | None = None
    """The shop the source witnesses: its order events get the site's shared id (app/event/witnesses.py)."""
    platform_pixel: bool = False
    """Whether the source's adapter forwards the platform's own browser events (a witness believed first)."""
    received_text: str = field(default="", compare=False)
    """`received_at` formatted once for every event of the input (computed when not given)."""

    def __post_init__(self) -> None:
        if not self.received_text:
            self.received_text = format_time(self.received_at)


@dataclass(frozen=True)
class Normalizer:
    """Stamps ids and times, corrects clock skew, computes the canonical URL, fills context."""

    canonicalizer: Canonicalizer
    anonymize_ip: bool = False

    def normalize(self, raw: Any, arrival: Arrival) -> tuple[Any, list[Problem]]:
        """The normalized event and the problems found on the way (the schema check comes after)."""
        if not isinstance(raw, dict):
            return raw, [Problem("event", raw, "an event object")]
        event = dict(raw)
        problems: list[Problem] = []
        if event.get("id") is None:
            event["id"] = str(uuid.uuid4())
        received = arrival.received_text
        event["receivedAt"] = received
        event["occurredAt"] = self._occurred_at(event, arrival, problems) or received
        event["source"] = self._source(event.get("source"), arrival.source)
        self._page(event, problems)
        self._context(event, arrival)
        ordered = {key: event.pop(key) for key in FIELD_ORDER if key in event}
        ordered.update(event)  # unknown fields stay, so that the schema names them
        return ordered, problems

    def _occurred_at(self, event: Event, arrival: Arrival, problems: list[Problem]) -> str | None:
        """`receivedAt − (sentAt − occurredAt)` when the client says when it sent the event."""
        sent_raw = event.pop("sentAt", None)
        sent = _time_field(sent_raw, "sentAt", problems, _sent_time)
        occurred = _time_field(event.get("occurredAt"), "occurredAt", problems)
        if occurred is None:
            return None
        if sent is not None:
            delay = sent - occurred
            if not _NO_DELAY <= delay <= MAX_SEND_DELAY:
                problems.append(Problem("sentAt", sent_raw, "a time not before occurredAt and at most "
                                                            f"{MAX_SEND_DELAY.days} days after it"))
                return None
            return format_time(arrival.received_at - delay)  # never after its arrival: no future to check
        if occurred - arrival.received_at > MAX_FUTURE:
            problems.append(Problem("occurredAt", event.get("occurredAt"),
                                    "a time not more than a day after the gateway received the event"))
            return None
        given = event["occurredAt"]
        if in_canonical_form(given):
            return str(given)  # what adapters write: already the canonical form
        return format_time(occurred)

    @staticmethod
    def _source(given: Any, source: Source) -> dict[str, Any]:
        """The configured source; adapters may add the provider's topic, delivery id and shop."""
        result: dict[str, Any] = {"id": source.id, "adapter": source.adapter}
        if isinstance(given, dict):
            for key in _ADAPTER_SOURCE_FIELDS:
                value = given.get(key)
                if value is not None:
                    result[key] = value
        return result

    def _page(self, event: Event, problems: list[Problem]) -> None:
        page = event.get("page")
        if not isinstance(page, dict) or not isinstance(page.get("url"), str):
            return
        page = event["page"] = dict(page)
        url = page["url"]
        try:
            canonical = self.canonicalizer.canonicalize(url)
        except ValueError:
            problems.append(Problem("page.url", url, event_schema()["$defs"]["url"]["x-expectation"]))
            return
        page.setdefault("canonicalUrl", canonical.url)
        page.setdefault("path", canonical.path)
        if canonical.campaign:
            context = event.get("context", {})
            if isinstance(context, dict) and "campaign" not in context:
                event["context"] = {**context, "campaign": dict(canonical.campaign)}

    def _context(self, event: Event, arrival: Arrival) -> None:
        if "context" in event and not isinstance(event["context"], dict):
            return  # null or not an object: the schema reports it
        context = dict(event.get("context") or {})
        if arrival.ip and "ip" not in context:
            context["ip"] = arrival.ip
        if self.anonymize_ip and isinstance(context.get("ip"), str):
            context["ip"] = anonymize_ip(context["ip"])
        if arrival.user_agent and "userAgent" not in context:
            context["userAgent"] = arrival.user_agent[:1024]
        if context:
            event["context"] = context


def _time_field(value: Any, name: str, problems: list[Problem],
                read: Callable[[str], datetime] = parse_time) -> datetime | None:
    """A client time, or None when absent; a problem when it is not RFC 3339."""
    if value is None:
        return None
    try:
        return read(value)
    except (ValueError, TypeError):
        problems.append(Problem(name, value, _TIME_EXPECTATION))
        return None


def anonymize_ip(address: str) -> str:
    """Zero the host part (as a pixel source without consent does); what is no address stays as it is."""
    return anonymized_ip(address) or address
