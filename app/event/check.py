"""Checking one event: normalized, valid against the canonical schema, within the limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from adapters.base import Problem, Unreadable
from app.config.model import Limits
from app.event.limits import property_problems, size_problem
from app.event.normalize import Arrival, Normalizer
from app.event.schema import EventValidator
from app.event.witnesses import claim_for_site


@dataclass(slots=True)
class CheckedEvent:
    """One event after normalization and validation: valid when it has no problems."""

    index: int
    raw: Any
    event: Any
    problems: list[Problem] = field(default_factory=list)
    encoded: bytes = b""
    witnessed: bool = False
    """An order event of a site: stored as one witness of the order (app/storage/witnesses.py)."""


def prefixed(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    """Problems of one event of many, their fields under `prefix` (e.g. `batch[3]`)."""
    if not prefix:
        return list(problems)
    return [replace(p, field=prefix if p.field == "event" else f"{prefix}.{p.field}") for p in problems]


NUL_STAND_IN = "\ufffd"
"""What U+0000 becomes in stored text: PostgreSQL cannot store it, and both engines must store the same event."""


def without_nul(value: Any) -> Any:
    """The value with U+0000 in every string (keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_STAND_IN)
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


class EventChecker:
    """Normalizes an event and checks it against the schema and the limits; no storage involved."""

    def __init__(self, validator: EventValidator, normalizer: Normalizer, limits: Limits) -> None:
        self.validator = validator
        self.normalizer = normalizer
        self.limits = limits

    def check(self, index: int, raw: Any, arrival: Arrival, item_field: str | None = None) -> CheckedEvent:
        """The normalized event and its problems (fields under `item_field[index]` for one of many)."""
        if isinstance(raw, Unreadable):  # the adapter could not read this item; it named the fields in the body
            return CheckedEvent(index, raw.raw, raw.raw, list(raw.error.problems))
        event, problems = self.normalizer.normalize(raw, arrival)
        checked = CheckedEvent(index, raw, event, problems)
        if arrival.site is not None and not problems:  # only sources that declare a site pay for this
            checked.witnessed = claim_for_site(event, arrival.site)
        if not problems:
            problems = self.validator.problems(event)
        if not problems:
            problems = property_problems(event)
        if not problems:
            checked.encoded = orjson.dumps(event)
            if b"\\u0000" in checked.encoded:  # rare: one scan of the encoded bytes keeps the common case cheap
                checked.event = event = without_nul(event)
                checked.encoded = orjson.dumps(event)
            too_big = size_problem(checked.encoded, self.limits.max_event_bytes)
            problems = [too_big] if too_big else []
        if problems:  # one event of many names its fields under its place in the batch: batch[3].page.url
            checked.problems = prefixed(problems, f"{item_field}[{index}]" if item_field else "")
        return checked
