"""What a destination is: it takes a batch of events and says, for each, delivered, retry or failed."""

from __future__ import annotations

import abc
import email.utils
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import marshmallow
import requests

from adapters.base import Event
from app.config.model import DestinationConfig

USER_AGENT = "tagway-delivery/1"


@dataclass(frozen=True)
class Attempt:
    """The result of delivering one event: `delivered`, `retry` (a passing failure) or `failed` (final)."""

    result: str
    error: str | None = None
    retry_after: float | None = None
    note: str | None = None

    @classmethod
    def from_response(cls, response: requests.Response, what: str) -> Attempt:
        """2xx delivered; 3xx (never followed), 408, 429 and 5xx retried (Retry-After honoured); other 4xx final."""
        status = response.status_code
        if 200 <= status < 300:
            return cls("delivered")
        if 300 <= status < 400:
            # A redirect is the destination's misconfiguration or a move we did not agree to: following it
            # would send signed events elsewhere (a 303 even turns them into GETs to any address).
            location = response.headers.get("Location")
            where = f"to Location {location[:300]}" if location else "without a Location"
            return cls("retry", f"{what} answered {status} {where}; redirects are not followed",
                       retry_after_seconds(response.headers.get("Retry-After")))
        error = f"{what} answered {status}: {response.text[:300]}"
        if status in (408, 429) or status >= 500:
            return cls("retry", error, retry_after_seconds(response.headers.get("Retry-After")))
        return cls("failed", error)

    @classmethod
    def from_exception(cls, error: requests.RequestException, what: str) -> Attempt:
        """Timeouts and refused connections are passing failures."""
        return cls("retry", f"{what}: {type(error).__name__}: {str(error)[:300]}")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class NoRedirectSession(requests.Session):
    """A session that never follows a redirect, whatever the call asks: the 3xx itself is the answer."""

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
        """No further request: every request this session sends goes to the address it was given."""
        return iter(())


class Destination(abc.ABC):
    """A configured destination; subclasses implement `deliver` for their type."""

    kind: ClassVar[str] = ""
    """The `type` of its [[destinations]] entries."""
    settings_schema: ClassVar[type[marshmallow.Schema] | None] = None
    secret_settings: ClassVar[tuple[str, ...]] = ()
    ordered_by_default: ClassVar[bool] = False
    max_batch_size: ClassVar[int] = 1
    calls_per_batch: ClassVar[int] = 1
    """HTTP calls one batch may make at most (each up to the timeout): sizes claims to the lease."""

    def __init__(self, config: DestinationConfig, session: NoRedirectSession | None = None) -> None:
        self.config = config
        self.id = config.id
        self.session = session or NoRedirectSession()
        self.session.headers["User-Agent"] = USER_AGENT

    @property
    def ordered(self) -> bool:
        """Whether a user's events are delivered one after the other, in order."""
        return self.ordered_by_default if self.config.ordered is None else self.config.ordered

    @property
    def batch_size(self) -> int:
        """Events per delivery call."""
        return max(1, min(self.config.batch_size, self.max_batch_size))

    def matches(self, event: Event) -> bool:
        """Whether the event goes to this destination (its event-name and source filters)."""
        config = self.config
        if config.events and event.get("name") not in config.events:
            return False
        return not config.sources or event.get("source", {}).get("id") in config.sources

    @abc.abstractmethod
    def deliver(self, events: Sequence[Event]) -> list[Attempt]:
        """Deliver a batch; one Attempt per event, in order."""

    def close(self) -> None:
        """Release connections and files."""
        self.session.close()

    def setting(self, name: str) -> Any:
        """One of this destination's own settings."""
        return self.config.settings.get(name)
