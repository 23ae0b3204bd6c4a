"""A data-subject erasure: a person, all their events, their deliveries, and the raw inputs that name them."""

from __future__ import annotations

import base64
import contextlib
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from app.projections.base import Database
from app.projections.runner import lock_key
from app.storage.base import SqlStorage
from app.storage.body_codec import decode_body

CHUNK = 500  # ids per IN (...) list: well under both engines' parameter limits
_RAW_COLUMN = {"anonymous": "anonymous_id", "member": "member_id", "email": "email"}


@dataclass
class Erased:
    """What an erasure removed."""

    person_id: int
    identifiers: list[dict[str, str]] = field(default_factory=list)
    events: int = 0
    outbox: int = 0
    rejections: int = 0
    inputs: int = 0
    sessions: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The API's answer."""
        counts = asdict(self)
        return {"personId": counts.pop("person_id"), "identifiers": counts.pop("identifiers"), "removed": counts}


def erase_person(storage: SqlStorage, person_id: int, projection: str = "people") -> Erased | None:
    """Delete the person and everything stored of them in one transaction; None when there is no such person."""
    with storage.transaction(write=True) as connection:
        db = Database(storage, connection)
        if db.postgres:  # a batch being applied now could bring the person back: wait for it (SQLite's lock does)
            db.one("SELECT pg_advisory_xact_lock(?)", (lock_key(projection),))
        if db.one("SELECT 1 FROM people WHERE id = ?", (person_id,)) is None:
            return None
        erased = Erased(person_id)
        identifiers = db.all("SELECT kind, value FROM person_ids WHERE person_id = ? ORDER BY kind, value",
                             (person_id,))
        erased.identifiers = [{"kind": kind, "value": value} for kind, value in identifiers]
        seqs = [int(row[0]) for row in db.all("SELECT event_seq FROM person_events WHERE person_id = ?",
                                              (person_id,))]
        seqs += _not_yet_projected(db, projection, identifiers)
        input_ids: set[int] = set()
        for chunk in _chunks(sorted(set(seqs))):
            marks = _marks(chunk)
            input_ids.update(int(row[0]) for row in db.all(
                f"SELECT input_id FROM events WHERE seq IN ({marks}) AND input_id IS NOT NULL", chunk))  # noqa: S608
            erased.outbox += db.execute(f"DELETE FROM outbox WHERE event_seq IN ({marks})", chunk).rowcount  # noqa: S608
            erased.events += db.execute(f"DELETE FROM events WHERE seq IN ({marks})", chunk).rowcount  # noqa: S608
        rejected, rejection_inputs = _rejections_naming(db, [value for _, value in identifiers])
        input_ids.update(rejection_inputs)
        for chunk in _chunks(rejected):
            erased.rejections += db.execute(
                f"DELETE FROM rejections WHERE id IN ({_marks(chunk)})", chunk).rowcount  # noqa: S608
        for chunk in _chunks(sorted(input_ids)):
            marks = _marks(chunk)
            # A batch's raw input also held other people's events: they stay, without the raw request.
            db.execute(f"UPDATE events SET input_id = NULL WHERE input_id IN ({marks})", chunk)  # noqa: S608
            db.execute(f"UPDATE rejections SET input_id = NULL WHERE input_id IN ({marks})", chunk)  # noqa: S608
            erased.inputs += db.execute(f"DELETE FROM inputs WHERE id IN ({marks})", chunk).rowcount  # noqa: S608
        erased.sessions = db.execute("DELETE FROM sessions WHERE person_id = ?", (person_id,)).rowcount
        db.execute("DELETE FROM person_events WHERE person_id = ?", (person_id,))
        db.execute("DELETE FROM identity_conflicts WHERE person_id = ? OR other_person_id = ?", (person_id, person_id))
        db.execute("DELETE FROM person_ids WHERE person_id = ?", (person_id,))
        db.execute("DELETE FROM people WHERE id = ?", (person_id,))
        if not db.postgres:
            # SQLite hands the largest seq out again once its row is gone: a cursor past the new largest seq
            # would skip the next event, so it comes back to it.
            db.execute("UPDATE projection_cursors SET position = (SELECT coalesce(max(seq), 0) FROM events) "
                       "WHERE position > (SELECT coalesce(max(seq), 0) FROM events)")
    return erased


def _not_yet_projected(db: Database, projection: str, identifiers: Sequence[tuple[str, str]]) -> list[int]:
    """Events past the projection's cursor that carry one of the identifiers (stored, not yet linked)."""
    row = db.one("SELECT position FROM projection_cursors WHERE name = ?", (projection,))
    position = int(row[0]) if row else 0
    seqs: list[int] = []
    for kind, value in identifiers:
        column = _RAW_COLUMN.get(kind)
        if column is not None:
            seqs += [int(r[0]) for r in db.all(
                f"SELECT seq FROM events WHERE seq > ? AND {column} = ?", (position, value))]  # noqa: S608
    return seqs


def _rejections_naming(db: Database, values: Sequence[str]) -> tuple[list[int], set[int]]:
    """Kept rejections whose event or raw request contains one of the values; their ids and their inputs' ids."""
    needles = [value.encode() for value in values if len(value) >= 3]  # shorter ones would match anything
    needles += [orjson.dumps(value)[1:-1] for value in values if len(value) >= 3]  # as escaped inside JSON
    if not needles:
        return [], set()
    found: list[int] = []
    inputs: set[int] = set()
    rows = db.all("SELECT r.id, r.input_id, r.event_body, i.body, i.body_encoding, i.query FROM rejections r "
                  "LEFT JOIN inputs i ON i.id = r.input_id ORDER BY r.id")
    for rejection_id, input_id, event_body, body, encoding, query in rows:
        texts = [bytes(event_body) if event_body is not None else b"", (query or "").encode(), _pixel_payload(query)]
        if body is not None:
            texts.append(decode_body(bytes(body), encoding))
        if any(needle in text for needle in needles for text in texts):
            found.append(int(rejection_id))
            if input_id is not None:
                inputs.add(int(input_id))
    return found, inputs


def _pixel_payload(query: str | None) -> bytes:
    """The base64url `d=` payload of a pixel's query, decoded (a browser's ids travel in it)."""
    for value in urllib.parse.parse_qs(query or "").get("d", []):
        with contextlib.suppress(ValueError):
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return b""


def _chunks(values: Sequence[int]) -> list[list[int]]:
    return [list(values[i:i + CHUNK]) for i in range(0, len(values), CHUNK)]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))
