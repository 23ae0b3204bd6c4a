"""The people tables follow the events' retention: what is left of a person is what is left of their events."""

from __future__ import annotations

import random
from pathlib import Path

from adapters.testing import Clock
from app.delivery.worker import DeliveryWorker
from app.projections.people.queries import People
from tests.people.support import shop


def test_purged_events_take_their_sessions_and_people_with_them(database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    site = shop(database_url, tmp_path, clock)
    site.browse("gone-visitor", "https://shop.example.com/")
    site.browse("regular", "https://shop.example.com/")
    clock.advance(days=60)
    site.browse("regular", "https://shop.example.com/again")
    site.project()
    clock.advance(days=40)  # the first two events are over the 90 days events are kept
    DeliveryWorker(site.gateway.worker_parts(), rng=random.Random(1)).run_once()

    people = People(site.gateway.storage)
    assert people.find("gone-visitor") == []
    [regular] = people.find("regular")
    profile = people.profile(regular)
    assert profile is not None and profile["counts"]["sessions"] == 1 and profile["counts"]["events"] == 1
    [session] = people.timeline(regular)["sessions"]
    assert [e["url"] for e in session["events"]] == ["https://shop.example.com/again"]
    with site.gateway.storage.transaction() as connection:
        assert connection.execute("SELECT count(*) FROM person_events").fetchone()[0] == 1
        assert connection.execute("SELECT count(*) FROM person_ids").fetchone()[0] == 1
