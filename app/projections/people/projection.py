"""The people projection: identity links, each event's person and session, traits and counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from adapters.times import format_time
from app.config.model import PeopleSettings
from app.projections.base import Database, Projection, StoredEvent, StoredWitness
from app.projections.people.batch import Batch
from app.projections.people.identifiers import linkable, ranked
from app.projections.people.sessions import SessionRule, Visit
from app.projections.people.trust import Trust
from app.projections.people.witnesses import accounts_until, as_first_told, merged

TABLES = ("identity_conflicts", "sessions", "person_events", "person_ids", "people")
_VISIT_COLUMNS = "event_seq, occurred_at, name, url, referrer, campaign, user_agent"


class PeopleProjection(Projection):
    """Who each event's customer is: anonymous ids join a member only through trusted inputs, never two members."""

    name = "people"
    tables = TABLES
    follows_witnesses = True  # a later witness of an order brings identifiers: the browser that bought

    def __init__(self, trust: Trust, settings: PeopleSettings) -> None:
        self.trust = trust
        self.settings = settings
        self.rule = SessionRule(timedelta(minutes=settings.session_timeout_minutes),
                                timedelta(hours=settings.max_session_hours))

    def apply(self, db: Database, events: Sequence[StoredEvent]) -> None:
        """Link, attach and sessionize each event, in order; the batch's writes go out at its end."""
        batch = Batch(db)
        self.trust.forget()
        events = as_first_told(db, events)  # later witnesses come in their own order (apply_witnesses)
        links = [linkable(stored.event, self.trust, self.settings) for stored in events]
        batch.prefetch({pair for ids in links for pair in ids})
        for stored, ids in zip(events, links, strict=True):
            self._apply_one(batch, stored, ids)
        batch.flush()

    def apply_witnesses(self, db: Database, witnesses: Sequence[StoredWitness]) -> None:
        """A later witness of an applied order event: the identifiers of all its accounts so far link together.

        The stored event is the merge of its witnesses, believed as a whole (the webhook's customer beside the
        browser's anonymous id): what the projection would have linked had it read the merge at once.
        """
        batch = Batch(db)
        self.trust.forget()
        for witness in witnesses:
            accounts = accounts_until(db, witness)
            if not accounts or accounts[0].seq == witness.seq:
                continue  # the first witness is the event itself, applied with the events
            ids = ranked({pair for account in accounts
                          for pair in linkable(account.event, self.trust, self.settings)})
            self._apply_witness(batch, StoredEvent(witness.event_seq, merged(accounts)), ids)
        batch.flush()

    def _apply_one(self, batch: Batch, stored: StoredEvent, ids: list[tuple[str, str]]) -> None:
        if not ids:
            return  # nothing names a customer (or only junk / untrusted ids)
        at = stored.event["occurredAt"]
        target, merged_any = self._link(batch, stored.seq, ids, at)
        self._attach(batch, stored, target, at)
        if merged_any:
            batch.flush()
            self._resessionize(batch, target, None)

    def _apply_witness(self, batch: Batch, stored: StoredEvent, ids: list[tuple[str, str]]) -> None:
        """Link the accounts' identifiers; the event's row (or a first one) shows the merge so far."""
        if not ids:
            return
        at = stored.event["occurredAt"]
        target, merged_any = self._link(batch, stored.seq, ids, at)
        batch.flush()
        person = batch.person_of_event(stored.seq)
        if person is None:  # its first account named nobody (no id, or no consent): it joins a person now
            self._attach(batch, stored, target, at)
            if merged_any:
                batch.flush()
                self._resessionize(batch, target, None)
            return
        batch.update_visit(self._visit(stored), (stored.event.get("page") or {}).get("title"))
        batch.touch(person, at, (stored.event.get("user") or {}).get("traits"))
        batch.flush()
        self._resessionize(batch, person, None)

    def _link(self, batch: Batch, seq: int, ids: list[tuple[str, str]], at: str) -> tuple[int, bool]:
        """The person the identifiers name, merging anonymous people into it; whether any merge happened."""
        holders = {pair: batch.holder(*pair) for pair in ids}
        members = {pid: batch.member(pid) for pid in holders.values() if pid is not None}
        event_member = next((value for kind, value in ids if kind == "member"), None)
        target = self._target(holders, members, event_member)
        if target is None:
            target = seq
            batch.new_person(target, event_member, at)
            members[target] = event_member
        target_member = members.get(target) or event_member
        merged_any = False
        for (kind, value), held in holders.items():
            holder = batch.holder(kind, value) if held is not None else None  # a merge above may have moved it
            if holder is None:
                batch.add_identifier(kind, value, target, at)
                continue
            if holder != target:
                holder_member = members.get(holder)
                if holder_member is not None and target_member is not None and holder_member != target_member:
                    batch.conflict(seq, kind, value, holder, target, at)
                    continue
                batch.merge(holder, target)
                target_member = target_member or holder_member
                merged_any = True
            batch.seen(kind, value, at)
        if target_member is not None and batch.member(target) is None:
            batch.set_member(target, target_member)
        return target, merged_any

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

    def _attach(self, batch: Batch, stored: StoredEvent, person: int, at: str) -> None:
        """The event joins its person's timeline and a session."""
        event = stored.event
        page = event.get("page") or {}
        visit = self._visit(stored)
        traits = (event.get("user") or {}).get("traits")
        last = batch.last_session(person)
        if last is not None and visit.occurred_at < last.ended_at:  # out of time order: the tail is cut again
            batch.attach(person, visit, page.get("title"), traits, None)
            batch.flush()
            self._resessionize(batch, person, visit.occurred_at)
            return
        if last is not None and self.rule.continues(last.started_at, last.ended_at, visit.occurred_at):
            batch.continue_session(last, visit)
            session_id = last.id
        else:
            session_id = batch.start_session(person, visit).id
        batch.attach(person, visit, page.get("title"), traits, session_id)

    @staticmethod
    def _visit(stored: StoredEvent) -> Visit:
        """What the timeline and sessions keep of an event."""
        event = stored.event
        page = event.get("page") or {}
        context = event.get("context") or {}
        campaign = context.get("campaign")
        return Visit(stored.seq, event["occurredAt"], event["name"], page.get("url"), page.get("referrer"),
                     orjson.dumps(campaign).decode() if campaign else None, context.get("userAgent"))

    def _resessionize(self, batch: Batch, person: int, since: str | None) -> None:
        """Cut the person's sessions again from the one that `since` may touch (all of them when None)."""
        db = batch.db
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
            db.execute("INSERT INTO sessions (id, person_id, started_at, ended_at, landing_url, referrer, campaign, "
                       "user_agent, page_views, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (session.id, person, session.started_at, session.ended_at, session.landing_url,
                        session.referrer, session.campaign, session.user_agent, session.page_views, session.events))
            for start_at in range(0, len(session.seqs), 500):
                chunk = session.seqs[start_at:start_at + 500]
                marks = ", ".join("?" * len(chunk))
                db.execute(f"UPDATE person_events SET session_id = ? WHERE event_seq IN ({marks})",  # noqa: S608
                           (session.id, *chunk))
        batch.sessions_changed(person)
