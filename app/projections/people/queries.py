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
_EVENT_COLUMNS = "event_seq, session_id, name, occurred_at, url, title"
JOURNEY_PAGES = 50
"""The most pages a journey lists (the latest before the chat): a session may hold thousands."""


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
            # Counted from the timeline itself: what the retention purge took is no longer counted.
            events = db.one("SELECT count(*) FROM person_events WHERE person_id = ?", (person_id,))
            conflicts = db.all(
                "SELECT c.event_seq, c.kind, c.value, c.person_id, c.other_person_id, c.occurred_at, "
                "p.member_id, o.member_id FROM identity_conflicts c "
                "LEFT JOIN people p ON p.id = c.person_id LEFT JOIN people o ON o.id = c.other_person_id "
                "WHERE c.person_id = ? OR c.other_person_id = ? ORDER BY c.event_seq", (person_id, person_id))
        assert sessions is not None and events is not None
        traits = {key: entry["value"] for key, entry in sorted(orjson.loads(row[5]).items())}
        return {
            "id": int(row[0]), "memberId": row[1], "firstSeen": row[2], "lastSeen": row[3],
            "identifiers": [{"kind": k, "value": v, "firstSeen": f, "lastSeen": last} for k, v, f, last in identifiers],
            "traits": traits, "counts": {"events": int(events[0]), "sessions": int(sessions[0]),
                                         "pageViews": int(sessions[1])},
            "conflicts": [{"eventSeq": int(c[0]), "kind": c[1], "value": c[2], "heldBy": int(c[3]),
                           "heldByMember": c[6], "claimedBy": int(c[4]), "claimedByMember": c[7],
                           "occurredAt": c[5]} for c in conflicts],
        }

    def timeline(self, person_id: int, before: str | None = None, limit: int = 100) -> dict[str, Any]:
        """A page of the person's events, newest first, grouped by session (newest session first).

        A page holds at most `limit` events: a long session may go on on the next page (`partial`). `before` is
        the `next` of the previous page (the time and seq of its oldest event).
        """
        params: list[Any] = [person_id]
        where = "person_id = ?"
        if before is not None:
            at, _, seq = before.rpartition("/")
            where += " AND (occurred_at < ? OR (occurred_at = ? AND event_seq < ?))"
            params += [at, at, int(seq or 0)]
        with self.storage.transaction() as connection:
            db = Database(self.storage, connection)
            rows = db.all(f"SELECT {_EVENT_COLUMNS} FROM person_events WHERE {where} "  # noqa: S608 (fixed clauses)
                          "ORDER BY occurred_at DESC, event_seq DESC LIMIT ?", (*params, limit))
            sessions: dict[int, dict[str, Any]] = {}
            for seq, session_id, name, at, url, title in rows:
                session = sessions.get(session_id)
                if session is None:
                    found = db.one(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?",  # noqa: S608
                                   (session_id,))
                    session = sessions[session_id] = {**_session(found), "events": []} if found else {
                        "id": session_id, "events": []}
                session["events"].append({"seq": int(seq), "name": name, "occurredAt": at, "url": url,
                                          "title": title})
            for session in sessions.values():
                session["events"].reverse()
                session["partial"] = len(session["events"]) < session.get("eventCount", 0)
                session["chats"] = [self._journey(db, session, e["seq"], e["occurredAt"], e["url"])
                                    for e in session["events"] if e["name"] == CHAT_EVENT]
        last = rows[-1] if len(rows) == limit else None
        return {"personId": person_id, "sessions": list(sessions.values()),
                "next": f"{last[3]}/{last[0]}" if last else None}

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
            chat = db.one("SELECT session_id, occurred_at, url FROM person_events "
                          "WHERE event_seq = ? AND person_id = ? AND name = ?", (chat_seq, person_id, CHAT_EVENT))
            if chat is None or chat[0] is None:
                return None
            found = db.one(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (chat[0],))  # noqa: S608
            assert found is not None
            return self._journey(db, _session(found), chat_seq, chat[1], chat[2])

    @staticmethod
    def _journey(db: Database, session: dict[str, Any], chat_seq: int, opened_at: str,
                 url: str | None) -> dict[str, Any]:
        """The chat's page, the (latest) pages before it in its session with the time on each, and how it began."""
        rows = db.all("SELECT url, title, occurred_at FROM person_events WHERE session_id = ? AND name = 'PageView' "
                      "AND url IS NOT NULL AND (occurred_at < ? OR (occurred_at = ? AND event_seq < ?)) "
                      "ORDER BY occurred_at DESC, event_seq DESC LIMIT ?",
                      (session["id"], opened_at, opened_at, chat_seq, JOURNEY_PAGES))
        rows.reverse()
        pages = []
        for index, (page_url, title, at) in enumerate(rows):
            until = rows[index + 1][2] if index + 1 < len(rows) else opened_at
            pages.append({"url": page_url, "title": title, "at": at,
                          "secondsOnPage": (_time(until) - _time(at)).total_seconds()})
        return {"chatSeq": chat_seq, "openedAt": opened_at, "page": url or (pages[-1]["url"] if pages else None),
                "pages": pages, "sessionId": session["id"], "landingUrl": session.get("landingUrl"),
                "referrer": session.get("referrer"), "campaign": session.get("campaign")}


def _session(row: tuple[Any, ...]) -> dict[str, Any]:
    started, ended = row[1], row[2]
    return {"id": int(row[0]), "startedAt": started, "endedAt": ended,
            "durationSeconds": (_time(ended) - _time(started)).total_seconds(),
            "landingUrl": row[3], "referrer": row[4], "campaign": orjson.loads(row[5]) if row[5] else None,
            "device": device_of(row[6]), "userAgent": row[6], "pageViews": int(row[7]), "eventCount": int(row[8])}


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
