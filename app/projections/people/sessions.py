"""Sessions: a person's events cut after `timeout` without one, and at `cap` from the first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Visit:
    """What a session needs of one event."""

    seq: int
    occurred_at: str
    name: str
    url: str | None = None
    referrer: str | None = None
    campaign: str | None = None
    user_agent: str | None = None


@dataclass
class Session:
    """One session as the sessions table holds it; its id is the seq of its first event."""

    id: int
    started_at: str
    ended_at: str
    landing_url: str | None = None
    referrer: str | None = None
    campaign: str | None = None
    user_agent: str | None = None
    page_views: int = 0
    events: int = 0
    seqs: list[int] = field(default_factory=list)

    @classmethod
    def starting(cls, visit: Visit) -> Session:
        """A session opened by this event."""
        session = cls(visit.seq, visit.occurred_at, visit.occurred_at)
        session.add(visit)
        return session

    def add(self, visit: Visit) -> None:
        """Count an event in (in time order); the first page, referrer, campaign and device are kept."""
        self.ended_at = max(self.ended_at, visit.occurred_at)
        if self.landing_url is None and visit.url is not None:
            self.landing_url, self.referrer = visit.url, visit.referrer  # the landing page's referrer, no later one
        self.campaign = self.campaign or visit.campaign
        self.user_agent = self.user_agent or visit.user_agent
        self.page_views += visit.name == "PageView"
        self.events += 1
        self.seqs.append(visit.seq)


class SessionRule:
    """When an event continues a session and when it opens a new one."""

    def __init__(self, timeout: timedelta, cap: timedelta) -> None:
        self.timeout = timeout
        self.cap = cap

    def continues(self, started_at: str, ended_at: str, occurred_at: str) -> bool:
        """Whether an event at `occurred_at` (not before `ended_at`) belongs to the session."""
        at = _time(occurred_at)
        return at - _time(ended_at) <= self.timeout and at - _time(started_at) < self.cap

    def cut(self, visits: Iterable[Visit]) -> list[Session]:
        """Sessions of events given in time order."""
        sessions: list[Session] = []
        for visit in visits:
            current = sessions[-1] if sessions else None
            if current is not None and self.continues(current.started_at, current.ended_at, visit.occurred_at):
                current.add(visit)
            else:
                sessions.append(Session.starting(visit))
        return sessions


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)  # stored times are the gateway's own RFC 3339 UTC text
