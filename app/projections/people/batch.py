"""What one batch of the people projection reads and writes, kept in memory and written once at its end.

Most events only continue their person's last session and see identifiers again: counting them in memory
and writing each person, identifier and session once per batch keeps the statements per batch close to the
number of people in it rather than of events. Merges and events out of time order are rare: they write
everything pending first (`flush`), then work on the tables and forget what was cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from app.projections.base import Database
from app.projections.people.sessions import Session, Visit

_SESSION_COLUMNS = "id, started_at, ended_at, landing_url, referrer, campaign, user_agent, page_views, events"
_PREFIXED_SESSION_COLUMNS = ", ".join(f"s.{column.strip()}" for column in _SESSION_COLUMNS.split(","))


@dataclass
class _PersonDelta:
    first_seen: str
    last_seen: str
    events: int = 0
    traits: dict[str, Any] = field(default_factory=dict)


class Batch:
    """The people tables as one batch sees them: cached reads, pending writes."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._holders: dict[tuple[str, str], int | None] = {}
        self._members: dict[int, str | None] = {}
        self._last_sessions: dict[int, Session | None] = {}
        self._new_sessions: dict[int, tuple[int, Session]] = {}
        self._changed_sessions: dict[int, Session] = {}
        self._seen: dict[tuple[str, str], list[str]] = {}
        self._people: dict[int, _PersonDelta] = {}
        self._person_events: list[tuple[Any, ...]] = []
        self._new_people: dict[int, list[Any]] = {}
        self._new_ids: list[tuple[Any, ...]] = []

    def prefetch(self, pairs: set[tuple[str, str]]) -> None:
        """Read at once who holds these identifiers, those people's member ids and latest sessions.

        A few statements per batch instead of a few per event: on PostgreSQL each is a round trip.
        """
        values = sorted({value for _, value in pairs})
        for chunk in _chunks(values):
            for kind, value, person in self.db.all(
                    f"SELECT kind, value, person_id FROM person_ids WHERE value IN ({_marks(chunk)})", chunk):  # noqa: S608
                if (kind, value) in pairs:
                    self._holders[(kind, value)] = int(person)
        for pair in pairs:
            self._holders.setdefault(pair, None)
        people = sorted({p for p in self._holders.values() if p is not None} - self._members.keys())
        for chunk in _chunks(people):
            for person, member in self.db.all(
                    f"SELECT id, member_id FROM people WHERE id IN ({_marks(chunk)})", chunk):  # noqa: S608
                self._members[int(person)] = member
            latest: dict[int, Session] = {}
            for row in self.db.all(f"SELECT s.person_id, {_PREFIXED_SESSION_COLUMNS} FROM sessions s "  # noqa: S608
                                   f"WHERE s.person_id IN ({_marks(chunk)}) AND s.started_at = "
                                   "(SELECT max(started_at) FROM sessions m WHERE m.person_id = s.person_id)", chunk):
                session = Session(*row[1:])
                held = latest.get(int(row[0]))
                if held is None or held.id < session.id:
                    latest[int(row[0])] = session
            for person in chunk:
                self._last_sessions[person] = latest.get(person)

    # --- identifiers and people ----------------------------------------------------------------

    def holder(self, kind: str, value: str) -> int | None:
        """The person who has this identifier, or None."""
        key = (kind, value)
        if key not in self._holders:
            row = self.db.one("SELECT person_id FROM person_ids WHERE kind = ? AND value = ?", key)
            self._holders[key] = None if row is None else int(row[0])
        return self._holders[key]

    def member(self, person: int) -> str | None:
        """The member id of a person (None for an anonymous one)."""
        if person not in self._members:
            row = self.db.one("SELECT member_id FROM people WHERE id = ?", (person,))
            self._members[person] = None if row is None else row[0]
        return self._members[person]

    def new_person(self, person: int, member_id: str | None, at: str) -> None:
        """A person first seen now (written at the end)."""
        self._new_people[person] = [person, member_id, at, at]
        self._members[person] = member_id
        self._last_sessions[person] = None

    def set_member(self, person: int, member_id: str) -> None:
        """Give an anonymous person the member id a trusted input linked."""
        if person in self._new_people:
            self._new_people[person][1] = member_id
        else:
            self.db.execute("UPDATE people SET member_id = ? WHERE id = ?", (member_id, person))
        self._members[person] = member_id

    def add_identifier(self, kind: str, value: str, person: int, at: str) -> None:
        """An identifier seen for the first time (written at the end)."""
        self._new_ids.append((kind, value, person, at, at))
        self._holders[(kind, value)] = person

    def seen(self, kind: str, value: str, at: str) -> None:
        """An identifier seen again (its first and last seen written at the end)."""
        span = self._seen.get((kind, value))
        if span is None:
            self._seen[(kind, value)] = [at, at]
        else:
            span[0], span[1] = min(span[0], at), max(span[1], at)

    def conflict(self, event_seq: int, kind: str, value: str, holder: int, claimed_by: int, at: str) -> None:
        """An identifier a trusted input put beside another member's id: recorded, never merged."""
        self.db.execute("INSERT INTO identity_conflicts (event_seq, kind, value, person_id, other_person_id, "
                        "occurred_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (event_seq, kind, value, holder, claimed_by, at))

    def merge(self, source: int, target: int) -> None:
        """Everything of `source` (no other member id) becomes `target`'s; `source` is gone."""
        self.flush()
        db = self.db
        row = db.one("SELECT first_seen, last_seen, events, traits FROM people WHERE id = ?", (source,))
        into = db.one("SELECT first_seen, last_seen, events, traits FROM people WHERE id = ?", (target,))
        assert row is not None and into is not None
        traits = merged_traits(orjson.loads(into[3]), orjson.loads(row[3]))
        db.execute("UPDATE people SET first_seen = ?, last_seen = ?, events = ?, traits = ? WHERE id = ?",
                   (min(row[0], into[0]), max(row[1], into[1]), int(row[2]) + int(into[2]),
                    orjson.dumps(traits).decode(), target))
        for table, column in (("person_ids", "person_id"), ("person_events", "person_id"),
                              ("identity_conflicts", "person_id"), ("identity_conflicts", "other_person_id")):
            db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (target, source))  # noqa: S608
        db.execute("DELETE FROM sessions WHERE person_id = ?", (source,))
        db.execute("DELETE FROM people WHERE id = ?", (source,))
        # What the cache knew of the two people changes with them; of anyone else, it holds.
        for pair, holder in self._holders.items():
            if holder == source:
                self._holders[pair] = target
        self._members.pop(source, None)
        self.sessions_changed(source)
        self.sessions_changed(target)

    # --- events and sessions ---------------------------------------------------------------

    def attach(self, person: int, visit: Visit, title: str | None, traits: Any, session: int | None) -> None:
        """The event joins its person's timeline (written at the end), counted with its traits."""
        self._person_events.append((visit.seq, person, session, visit.occurred_at, visit.name, visit.url, title,
                                    visit.referrer, visit.campaign, visit.user_agent))
        self.touch(person, visit.occurred_at, traits)
        self._people[person].events += 1

    def touch(self, person: int, at: str, traits: Any) -> None:
        """The person was seen at `at` with these traits (first and last seen, traits written at the end)."""
        delta = self._people.get(person)
        if delta is None:
            delta = self._people[person] = _PersonDelta(at, at)
        delta.first_seen, delta.last_seen = min(delta.first_seen, at), max(delta.last_seen, at)
        if isinstance(traits, dict):
            for key, value in traits.items():
                held = delta.traits.get(key)
                if held is None or held["at"] <= at:
                    delta.traits[key] = {"value": value, "at": at}

    def person_of_event(self, seq: int) -> int | None:
        """The person an event is attached to (read from the table: call after `flush`)."""
        row = self.db.one("SELECT person_id FROM person_events WHERE event_seq = ?", (seq,))
        return None if row is None else int(row[0])

    def update_visit(self, visit: Visit, title: str | None) -> None:
        """An attached event's row shows the event as it is now (its sessions are cut again by the caller)."""
        self.db.execute("UPDATE person_events SET occurred_at = ?, name = ?, url = ?, title = ?, referrer = ?, "
                        "campaign = ?, user_agent = ? WHERE event_seq = ?",
                        (visit.occurred_at, visit.name, visit.url, title, visit.referrer, visit.campaign,
                         visit.user_agent, visit.seq))

    def last_session(self, person: int) -> Session | None:
        """The person's latest session (by start)."""
        if person not in self._last_sessions:
            row = self.db.one(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE person_id = ? "  # noqa: S608
                              "ORDER BY started_at DESC, id DESC LIMIT 1", (person,))
            self._last_sessions[person] = None if row is None else Session(*row)
        return self._last_sessions[person]

    def continue_session(self, session: Session, visit: Visit) -> None:
        """The event continues the session."""
        session.add(visit)
        if session.id not in self._new_sessions:
            self._changed_sessions[session.id] = session

    def start_session(self, person: int, visit: Visit) -> Session:
        """The event opens a session."""
        session = Session.starting(visit)
        self._new_sessions[session.id] = (person, session)
        self._last_sessions[person] = session
        return session

    # --- writing ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Write everything pending."""
        db = self.db
        if self._new_people:
            db.storage.executemany(db.connection, db.storage.sql(
                "INSERT INTO people (id, member_id, first_seen, last_seen, events) VALUES (?, ?, ?, ?, 0)"),
                [tuple(row) for row in self._new_people.values()])
        if self._new_ids:
            db.storage.executemany(db.connection, db.storage.sql(
                "INSERT INTO person_ids (kind, value, person_id, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"),
                self._new_ids)
        if self._person_events:
            db.storage.executemany(db.connection, db.storage.sql(
                "INSERT INTO person_events (event_seq, person_id, session_id, occurred_at, name, url, title, "
                "referrer, campaign, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (event_seq) DO NOTHING"), self._person_events)
        if self._new_sessions:
            db.storage.executemany(db.connection, db.storage.sql(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}, person_id) "  # noqa: S608 (a constant)
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                [(*_values(s), person) for person, s in self._new_sessions.values()])
        if self._changed_sessions:
            db.storage.executemany(db.connection, db.storage.sql(
                "UPDATE sessions SET started_at = ?, ended_at = ?, landing_url = ?, referrer = ?, campaign = ?, "
                "user_agent = ?, page_views = ?, events = ? WHERE id = ?"),
                [(*_values(s)[1:], s.id) for s in self._changed_sessions.values()])
        if self._seen:
            db.storage.executemany(db.connection, db.storage.sql(
                "UPDATE person_ids SET first_seen = CASE WHEN first_seen > ? THEN ? ELSE first_seen END, "
                "last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END WHERE kind = ? AND value = ?"),
                [(first, first, last, last, kind, value) for (kind, value), (first, last) in self._seen.items()])
        plain = [(d.first_seen, d.first_seen, d.last_seen, d.last_seen, d.events, person)
                 for person, d in self._people.items() if not d.traits]
        if plain:
            db.storage.executemany(db.connection, db.storage.sql(
                "UPDATE people SET first_seen = CASE WHEN first_seen > ? THEN ? ELSE first_seen END, "
                "last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END, events = events + ? WHERE id = ?"),
                plain)
        for person, delta in self._people.items():
            if delta.traits:  # traits are merged key by key: read, merge, write
                row = db.one("SELECT first_seen, last_seen, traits FROM people WHERE id = ?", (person,))
                assert row is not None
                traits = merged_traits(orjson.loads(row[2]), delta.traits)
                db.execute("UPDATE people SET first_seen = ?, last_seen = ?, events = events + ?, traits = ? "
                           "WHERE id = ?", (min(row[0], delta.first_seen), max(row[1], delta.last_seen),
                                            delta.events, orjson.dumps(traits).decode(), person))
        self._person_events, self._new_sessions, self._changed_sessions = [], {}, {}
        self._new_people, self._new_ids = {}, []
        self._seen, self._people = {}, {}

    def sessions_changed(self, person: int) -> None:
        """Forget the person's latest session (their sessions were cut again in the tables)."""
        self._last_sessions.pop(person, None)


def merged_traits(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Traits of both, each the later value."""
    for key, entry in other.items():
        if key not in into or into[key]["at"] <= entry["at"]:
            into[key] = entry
    return into


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _values(session: Session) -> tuple[Any, ...]:
    return (session.id, session.started_at, session.ended_at, session.landing_url, session.referrer,
            session.campaign, session.user_agent, session.page_views, session.events)
