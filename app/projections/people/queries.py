"""Reading the people tables: find a person, their profile, their timeline by session, a chat's journey."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from app.projections.base import Database
from app.projections.people.identifiers import KINDS, clean
from app.storage.base import SqlStorage

CHAT_EVENT = "UserChatOpen"
_SESSION_COLUMNS = "id, started_at, ended_at, landing_url, referrer, campaign, user_agent, page_views, events"


class People:
    """Read-only views of the people projection."""

    def __init__(self, storage: SqlStorage) -> None:
        self.storage = storage

    def find(self, identifier: str) -> list[int]:
        """The people any of whose identifiers (anonymous, member, email, phone) is this value."""
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            found: set[int] = set()
            for kind in KINDS:
                value = clean(kind, identifier)
                if value:
                    found.update(int(row[0]) for row in db.all(
                        "SELECT person_id FROM person_ids WHERE kind = ? AND value = ?", (kind, value)))
        return sorted(found)

    def person_of_event(self, event_seq: int) -> int | None:
        """The person a stored event belongs to (None: not projected yet, or no identifier)."""
        with self.storage.transaction() as connection:
            row = Database(self.storage, connection).one(
                "SELECT person_id FROM person_events WHERE event_seq = ?", (event_seq,))
        return None if row is None else int(row[0])

    def profile(self, person_id: int) -> dict[str, Any] | None:
        """Identifiers, traits (the later value wins), first and last seen, counts, recorded conflicts."""
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            row = db.one("SELECT id, member_id, first_seen, last_seen, events, traits FROM people WHERE id = ?",
                         (person_id,))
            if row is None:
                return None
            identifiers = db.all("SELECT kind, value, first_seen, last_seen FROM person_ids WHERE person_id = ? "
                                 "ORDER BY kind, first_seen, value", (person_id,))
            sessions = db.one("SELECT count(*), coalesce(sum(page_views), 0) FROM sessions WHERE person_id = ?",
                              (person_id,))
            conflicts = db.all(
                "SELECT c.event_seq, c.kind, c.value, c.person_id, c.other_person_id, c.occurred_at, "
                "p.member_id, o.member_id FROM identity_conflicts c "
                "LEFT JOIN people p ON p.id = c.person_id LEFT JOIN people o ON o.id = c.other_person_id "
                "WHERE c.person_id = ? OR c.other_person_id = ? ORDER BY c.event_seq", (person_id, person_id))
        assert sessions is not None
        traits = {key: entry["value"] for key, entry in sorted(orjson.loads(row[5]).items())}
        return {
            "id": int(row[0]), "memberId": row[1], "firstSeen": row[2], "lastSeen": row[3],
            "identifiers": [{"kind": k, "value": v, "firstSeen": f, "lastSeen": last} for k, v, f, last in identifiers],
            "traits": traits, "counts": {"events": int(row[4]), "sessions": int(sessions[0]),
                                         "pageViews": int(sessions[1])},
            "conflicts": [{"eventSeq": int(c[0]), "kind": c[1], "value": c[2], "heldBy": int(c[3]),
                           "heldByMember": c[6], "claimedBy": int(c[4]), "claimedByMember": c[7],
                           "occurredAt": c[5]} for c in conflicts],
        }

    def timeline(self, person_id: int, before: str | None = None, limit: int = 10) -> dict[str, Any]:
        """A page of the person's sessions, newest first, each with its events in time order.

        `before` is the `next` of the previous page: a session start time and id.
        """
        params: list[Any] = [person_id]
        where = "person_id = ?"
        if before is not None:
            started, _, session_id = before.partition("/")
            where += " AND (started_at < ? OR (started_at = ? AND id < ?))"
            params += [started, started, int(session_id or 0)]
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            statement = (f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE {where} "  # noqa: S608 (fixed clauses)
                         "ORDER BY started_at DESC, id DESC LIMIT ?")
            rows = db.all(statement, (*params, limit))
            sessions = [_session(row) for row in rows]
            for session in sessions:
                events = db.all(
                    "SELECT pe.event_seq, pe.name, pe.occurred_at, pe.url, pe.title, e.body FROM person_events pe "
                    "JOIN events e ON e.seq = pe.event_seq WHERE pe.session_id = ? "
                    "ORDER BY pe.occurred_at, pe.event_seq", (session["id"],))
                session["events"] = [{"seq": int(seq), "name": name, "occurredAt": at, "url": url, "title": title,
                                      "event": orjson.loads(body)} for seq, name, at, url, title, body in events]
                session["chats"] = [_journey_of(session, e["seq"]) for e in session["events"]
                                    if e["name"] == CHAT_EVENT]
        last = sessions[-1] if len(sessions) == limit else None
        return {"personId": person_id, "sessions": sessions,
                "next": f"{last['startedAt']}/{last['id']}" if last else None}

    def journey(self, person_id: int, chat_seq: int | None = None) -> dict[str, Any] | None:
        """The pages before one chat (the latest when none is named) in its session, with landing and campaign."""
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            if chat_seq is None:
                row = db.one("SELECT event_seq FROM person_events WHERE person_id = ? AND name = ? "
                             "ORDER BY occurred_at DESC, event_seq DESC LIMIT 1", (person_id, CHAT_EVENT))
                if row is None:
                    return None
                chat_seq = int(row[0])
            chat = db.one("SELECT session_id FROM person_events WHERE event_seq = ? AND person_id = ? AND name = ?",
                          (chat_seq, person_id, CHAT_EVENT))
            if chat is None or chat[0] is None:
                return None
            row = db.one(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (chat[0],))  # noqa: S608
            assert row is not None
            session = _session(row)
            session["events"] = [{"seq": int(seq), "name": name, "occurredAt": at, "url": url, "title": title}
                                 for seq, name, at, url, title in db.all(
                                     "SELECT event_seq, name, occurred_at, url, title FROM person_events "
                                     "WHERE session_id = ? ORDER BY occurred_at, event_seq", (chat[0],))]
        return _journey_of(session, chat_seq)


def _session(row: tuple[Any, ...]) -> dict[str, Any]:
    started, ended = row[1], row[2]
    return {"id": int(row[0]), "startedAt": started, "endedAt": ended,
            "durationSeconds": (_time(ended) - _time(started)).total_seconds(),
            "landingUrl": row[3], "referrer": row[4], "campaign": orjson.loads(row[5]) if row[5] else None,
            "device": device_of(row[6]), "userAgent": row[6], "pageViews": int(row[7]), "eventCount": int(row[8])}


def _journey_of(session: dict[str, Any], chat_seq: int) -> dict[str, Any]:
    """The chat's page, the pages before it in the session with the time spent on each, landing, referrer, campaign."""
    events = session["events"]
    index = next(i for i, e in enumerate(events) if e["seq"] == chat_seq)
    chat = events[index]
    pages = [e for e in events[:index] if e["url"] is not None and e["name"] == "PageView"]
    journey_pages = []
    for position, page in enumerate(pages):
        until = pages[position + 1]["occurredAt"] if position + 1 < len(pages) else chat["occurredAt"]
        journey_pages.append({"url": page["url"], "title": page["title"], "at": page["occurredAt"],
                              "secondsOnPage": (_time(until) - _time(page["occurredAt"])).total_seconds()})
    return {"chatSeq": chat_seq, "openedAt": chat["occurredAt"],
            "page": chat["url"] or (pages[-1]["url"] if pages else None),
            "pages": journey_pages, "sessionId": session["id"], "landingUrl": session["landingUrl"],
            "referrer": session["referrer"], "campaign": session["campaign"]}


def device_of(user_agent: str | None) -> str | None:
    """A coarse device class from a user agent: mobile, tablet or desktop (None when unknown)."""
    if not user_agent:
        return None
    text = user_agent.lower()
    if "ipad" in text or "tablet" in text:
        return "tablet"
    if "mobi" in text or "iphone" in text or "android" in text:
        return "mobile"
    return "desktop"


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
