"""The people projection: identity links, each event's person and session, traits and counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from adapters.times import format_time
from app.config.model import PeopleSettings
from app.projections.base import Database, Projection, StoredEvent
from app.projections.people.identifiers import linkable
from app.projections.people.sessions import Session, SessionRule, Visit
from app.projections.people.trust import Trust

TABLES = ("identity_conflicts", "sessions", "person_events", "person_ids", "people")
_VISIT_COLUMNS = "event_seq, occurred_at, name, url, referrer, campaign, user_agent"


class PeopleProjection(Projection):
    """Who each event's customer is: anonymous ids join a member only through trusted inputs, never two members."""

    name = "people"
    tables = TABLES

    def __init__(self, trust: Trust, settings: PeopleSettings) -> None:
        self.trust = trust
        self.settings = settings
        self.rule = SessionRule(timedelta(minutes=settings.session_timeout_minutes),
                                timedelta(hours=settings.max_session_hours))

    def apply(self, db: Database, events: Sequence[StoredEvent]) -> None:
        """Link, attach and sessionize each event, in order."""
        for stored in events:
            self._apply_one(db, stored)

    def _apply_one(self, db: Database, stored: StoredEvent) -> None:
        event = stored.event
        ids = linkable(event, self.trust, self.settings)
        if not ids:
            return  # nothing names a customer (or only junk / untrusted ids): no person to attach it to
        at = event["occurredAt"]
        holders = {pair: _holder(db, *pair) for pair in ids}
        members = {pid: _member_of(db, pid) for pid in set(holders.values()) if pid is not None}
        event_member = next((value for kind, value in ids if kind == "member"), None)
        target = self._target(holders, members, event_member)
        if target is None:
            target = stored.seq
            db.execute("INSERT INTO people (id, member_id, first_seen, last_seen, events) VALUES (?, ?, ?, ?, 0)",
                       (target, event_member, at, at))
            members[target] = event_member
        target_member = members.get(target) or event_member
        merged_any = False
        for (kind, value), holder in holders.items():
            holder = _holder(db, kind, value) if holder is not None else None  # a merge above may have moved it
            if holder is None:
                db.execute("INSERT INTO person_ids (kind, value, person_id, first_seen, last_seen) "
                           "VALUES (?, ?, ?, ?, ?)", (kind, value, target, at, at))
                continue
            if holder != target:
                holder_member = members.get(holder)
                if holder_member is not None and target_member is not None and holder_member != target_member:
                    db.execute("INSERT INTO identity_conflicts (event_seq, kind, value, person_id, other_person_id, "
                               "occurred_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               (stored.seq, kind, value, holder, target, at))
                    continue
                _merge(db, holder, target)
                target_member = target_member or holder_member
                merged_any = True
            _seen(db, kind, value, at)
        if target_member is not None and members.get(target) is None:
            db.execute("UPDATE people SET member_id = ? WHERE id = ?", (target_member, target))
        self._attach(db, stored, target, at)
        if merged_any:
            self._resessionize(db, target, None)

    @staticmethod
    def _target(holders: Mapping[tuple[str, str], int | None], members: Mapping[int, str | None],
                event_member: str | None) -> int | None:
        """The person the event belongs to: its member's, else a member among its ids' holders, else the oldest."""
        people = sorted({pid for pid in holders.values() if pid is not None})
        if event_member is not None:
            held = holders[("member", event_member)]
            if held is not None:
                return held
            # A new member id: it goes to the anonymous person its other ids name (the oldest), if any.
            return next((pid for pid in people if members.get(pid) is None), None)
        with_member = [pid for pid in people if members.get(pid) is not None]
        chosen = with_member or people
        return chosen[0] if chosen else None

    def _attach(self, db: Database, stored: StoredEvent, person: int, at: str) -> None:
        """The event joins its person's timeline and a session (once: a replayed batch changes nothing)."""
        event = stored.event
        page = event.get("page") or {}
        context = event.get("context") or {}
        campaign = context.get("campaign")
        visit = Visit(stored.seq, at, event["name"], page.get("url"), page.get("referrer"),
                      orjson.dumps(campaign).decode() if campaign else None, context.get("userAgent"))
        inserted = db.execute(
            "INSERT INTO person_events (event_seq, person_id, occurred_at, name, url, title, referrer, campaign, "
            "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_seq) DO NOTHING",
            (stored.seq, person, at, visit.name, visit.url, page.get("title"), visit.referrer, visit.campaign,
             visit.user_agent)).rowcount
        if inserted != 1:
            return
        row = db.one("SELECT first_seen, last_seen, traits FROM people WHERE id = ?", (person,))
        assert row is not None
        traits = _with_traits(orjson.loads(row[2]), (event.get("user") or {}).get("traits"), at)
        db.execute("UPDATE people SET first_seen = ?, last_seen = ?, events = events + 1, traits = ? WHERE id = ?",
                   (min(row[0], at), max(row[1], at), orjson.dumps(traits).decode(), person))
        self._place(db, person, visit)

    def _place(self, db: Database, person: int, visit: Visit) -> None:
        """Put a new event in a session: the last one continued, a new one, or (out of order) the tail recut."""
        last = db.one("SELECT id, started_at, ended_at FROM sessions WHERE person_id = ? "
                      "ORDER BY started_at DESC, id DESC LIMIT 1", (person,))
        if last is not None and visit.occurred_at < last[2]:
            self._resessionize(db, person, visit.occurred_at)
            return
        if last is not None and self.rule.continues(last[1], last[2], visit.occurred_at):
            db.execute("UPDATE sessions SET ended_at = ?, events = events + 1, page_views = page_views + ?, "
                       "landing_url = coalesce(landing_url, ?), "
                       "referrer = CASE WHEN landing_url IS NULL AND CAST(? AS TEXT) IS NOT NULL "
                       "THEN ? ELSE referrer END, "
                       "campaign = coalesce(campaign, ?), user_agent = coalesce(user_agent, ?) WHERE id = ?",
                       (visit.occurred_at, int(visit.name == "PageView"), visit.url, visit.url, visit.referrer,
                        visit.campaign, visit.user_agent, last[0]))
            db.execute("UPDATE person_events SET session_id = ? WHERE event_seq = ?", (last[0], visit.seq))
            return
        _insert_session(db, person, Session.starting(visit))

    def _resessionize(self, db: Database, person: int, since: str | None) -> None:
        """Cut the person's sessions again from the one that `since` may touch (all of them when None)."""
        params: tuple[Any, ...] = (person,)
        where = "person_id = ?"
        start = None
        if since is not None:
            bound = format_time(datetime.fromisoformat(since) - self.rule.timeout)
            where += " AND ended_at >= ?"
            params = (person, bound)
            first = db.one(f"SELECT min(started_at) FROM sessions WHERE {where}", params)  # noqa: S608
            start = min(since, first[0]) if first and first[0] else since
        db.execute(f"DELETE FROM sessions WHERE {where}", params)  # noqa: S608
        rows = db.all(f"SELECT {_VISIT_COLUMNS} FROM person_events WHERE person_id = ? AND occurred_at >= ? "  # noqa: S608
                      "ORDER BY occurred_at, event_seq", (person, start or ""))
        for session in self.rule.cut(Visit(*row) for row in rows):
            _insert_session(db, person, session)


def _holder(db: Database, kind: str, value: str) -> int | None:
    row = db.one("SELECT person_id FROM person_ids WHERE kind = ? AND value = ?", (kind, value))
    return None if row is None else int(row[0])


def _member_of(db: Database, person: int) -> str | None:
    row = db.one("SELECT member_id FROM people WHERE id = ?", (person,))
    return None if row is None else row[0]


def _seen(db: Database, kind: str, value: str, at: str) -> None:
    db.execute("UPDATE person_ids SET first_seen = CASE WHEN first_seen > ? THEN ? ELSE first_seen END, "
               "last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END WHERE kind = ? AND value = ?",
               (at, at, at, at, kind, value))


def _merge(db: Database, source: int, target: int) -> None:
    """Everything of `source` (a person with no other member id) becomes `target`'s; `source` is gone."""
    row = db.one("SELECT first_seen, last_seen, events, traits FROM people WHERE id = ?", (source,))
    into = db.one("SELECT first_seen, last_seen, events, traits FROM people WHERE id = ?", (target,))
    assert row is not None and into is not None
    traits = _merged_traits(orjson.loads(into[3]), orjson.loads(row[3]))
    db.execute("UPDATE people SET first_seen = ?, last_seen = ?, events = ?, traits = ? WHERE id = ?",
               (min(row[0], into[0]), max(row[1], into[1]), int(row[2]) + int(into[2]),
                orjson.dumps(traits).decode(), target))
    for table, column in (("person_ids", "person_id"), ("person_events", "person_id"),
                          ("identity_conflicts", "person_id"), ("identity_conflicts", "other_person_id")):
        db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (target, source))  # noqa: S608
    db.execute("DELETE FROM sessions WHERE person_id = ?", (source,))
    db.execute("DELETE FROM people WHERE id = ?", (source,))


def _with_traits(traits: dict[str, Any], new: Any, at: str) -> dict[str, Any]:
    """Traits with the event's, each value kept with its time (the later one wins)."""
    if isinstance(new, dict):
        for key, value in new.items():
            if key not in traits or traits[key]["at"] <= at:
                traits[key] = {"value": value, "at": at}
    return traits


def _merged_traits(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    for key, entry in other.items():
        if key not in into or into[key]["at"] < entry["at"]:
            into[key] = entry
    return into


def _insert_session(db: Database, person: int, session: Session) -> None:
    db.execute("INSERT INTO sessions (id, person_id, started_at, ended_at, landing_url, referrer, campaign, "
               "user_agent, page_views, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (session.id, person, session.started_at, session.ended_at, session.landing_url, session.referrer,
                session.campaign, session.user_agent, session.page_views, session.events))
    marks = ", ".join("?" * len(session.seqs))
    db.execute(f"UPDATE person_events SET session_id = ? WHERE event_seq IN ({marks})",  # noqa: S608
               (session.id, *session.seqs))
