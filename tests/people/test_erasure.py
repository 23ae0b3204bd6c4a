"""Erasing a person removes their events, deliveries, rejections and raw inputs, and nothing of anyone else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.testing import Clock
from app.storage.records import EventQuery, RejectionQuery
from tests.people.support import ADMIN, Shop, people_config
from tests.support.gateway import WRITE, build_app


def _counts(site: Shop) -> dict[str, int]:
    with site.gateway.storage.transaction() as connection:
        return {table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("events", "outbox", "rejections", "inputs", "people", "sessions")}


def _config(database_url: str) -> dict[str, Any]:
    config = people_config(database_url)
    config["storage"]["keep_accepted_inputs"] = True  # every raw request is kept: the erasure must find them
    config["destinations"] = [{"id": "hook", "type": "webhook", "url": "http://127.0.0.1:9/in"}]
    return config


def test_erasure_removes_everything_of_the_person_and_nothing_of_others(database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    site = Shop(build_app(_config(database_url), clock), clock)
    for anonymous, member, email in (("anon-a", "member-a", "a@example.com"), ("anon-b", "member-b", "b@example.com")):
        site.browse(anonymous, "https://shop.example.com/")
        clock.advance(minutes=1)
        site.verified_login(anonymous, member, "https://shop.example.com/login")
        site.webhook({"name": "Purchase", "user": {"memberId": member, "email": email},
                      "commerce": {"currency": "KRW", "value": 5000, "orderId": f"order-{member}",
                                   "items": [{"id": "x", "name": "X", "price": 5000, "quantity": 1}]}})
        refused = site.client.post("/v1/events", json={"name": "not a name", "user": {"email": email}}, headers=WRITE)
        assert refused.status_code == 400
    site.project()
    site.browse("anon-a", "https://shop.example.com/late")  # stored, not projected yet: it goes too
    before = _counts(site)
    [person_a] = site.client.get("/v1/people", query_string={"identifier": "a@example.com"},
                                 headers=ADMIN).get_json()["items"]

    answer = site.client.delete(f"/v1/people/{person_a['id']}", headers=ADMIN)
    assert answer.status_code == 200
    erased = answer.get_json()
    # Four events with their deliveries (the login came through tagway.js now, so it has one too), the refused
    # request and the four kept ones.
    assert erased["removed"] == {"events": 4, "outbox": 4, "rejections": 1, "inputs": 5, "sessions": 1}
    assert {(i["kind"], i["value"]) for i in erased["identifiers"]} == {
        ("anonymous", "anon-a"), ("member", "member-a"), ("email", "a@example.com")}

    after = _counts(site)
    assert after == {**before, "events": before["events"] - 4, "outbox": before["outbox"] - 4,
                     "rejections": before["rejections"] - 1, "inputs": before["inputs"] - 5,
                     "people": before["people"] - 1, "sessions": before["sessions"] - 1}
    storage = site.gateway.storage
    remaining = storage.list_events(EventQuery())
    assert remaining and all("a@example.com" not in str(row) and "anon-a" not in str(row) for row in remaining)
    assert all("a@example.com" not in str(r["eventBody"]) for r in storage.list_rejections(RejectionQuery()))
    for identifier in ("anon-a", "member-a", "a@example.com"):
        assert site.client.get("/v1/people", query_string={"identifier": identifier},
                               headers=ADMIN).get_json() == {"items": []}
    [person_b] = site.client.get("/v1/people", query_string={"identifier": "member-b"},
                                 headers=ADMIN).get_json()["items"]
    assert person_b["counts"]["events"] == 3
    assert site.client.delete(f"/v1/people/{person_a['id']}", headers=ADMIN).status_code == 404

    site.browse("anon-a", "https://shop.example.com/back-again")  # after the erasure: a new, unlinked visitor
    site.project()
    [again] = site.client.get("/v1/people", query_string={"identifier": "anon-a"}, headers=ADMIN).get_json()["items"]
    assert again["counts"]["events"] == 1 and again["memberId"] is None
