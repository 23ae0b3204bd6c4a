"""Identity on both engines: anonymous browsing joins the member who logs in; forged and junk ids link nothing."""

from __future__ import annotations

from pathlib import Path

from adapters.testing import Clock
from app.projections.people.queries import People
from tests.people.support import shop


def test_anonymous_sessions_a_verified_login_and_a_webhook_purchase_are_one_person(
        database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    site = shop(database_url, tmp_path, clock)
    site.browse("anon-1", "https://shop.example.com/", referrer="https://www.google.com/")
    clock.advance(minutes=2)
    site.browse("anon-1", "https://shop.example.com/products/linen-shirt")
    clock.advance(hours=20)  # Monday evening → Tuesday: a second session
    site.browse("anon-1", "https://shop.example.com/products/linen-shirt")
    clock.advance(minutes=3)
    site.browse("anon-1", "https://shop.example.com/cart")
    assert site.project() == 4
    [anonymous] = People(site.gateway.storage).find("anon-1")
    assert People(site.gateway.storage).profile(anonymous)["memberId"] is None  # type: ignore[index]

    clock.advance(hours=2)  # a third session: the visitor logs in, then buys
    site.verified_login("anon-1", "member-7", "https://shop.example.com/login")
    clock.advance(minutes=5)
    site.webhook({"name": "Purchase", "user": {"memberId": "member-7", "email": "Kim@Example.com"},
                  "commerce": {"currency": "KRW", "value": 39000, "orderId": "1001",
                               "items": [{"id": "sku-1", "name": "Linen shirt", "price": 39000, "quantity": 1}]}})
    assert site.project() == 2

    people = People(site.gateway.storage)
    [person] = people.find("member-7")
    assert people.find("anon-1") == [person] == people.find("kim@example.com")
    profile = people.profile(person)
    assert profile is not None
    assert profile["memberId"] == "member-7"
    assert {(i["kind"], i["value"]) for i in profile["identifiers"]} == {
        ("anonymous", "anon-1"), ("member", "member-7"), ("email", "kim@example.com")}
    assert profile["counts"] == {"events": 6, "sessions": 3, "pageViews": 4}
    assert profile["firstSeen"] == "2026-11-24T12:00:00.000Z"
    timeline = people.timeline(person)
    assert [[e["name"] for e in s["events"]] for s in timeline["sessions"]] == [
        ["Login", "Purchase"], ["PageView", "PageView"], ["PageView", "PageView"]], "newest session first"
    first = timeline["sessions"][-1]
    assert first["landingUrl"] == "https://shop.example.com/"
    assert first["referrer"] == "https://www.google.com/"
    assert first["device"] == "mobile" and first["pageViews"] == 2 and first["durationSeconds"] == 120


def test_a_member_id_the_browser_claims_without_a_hash_links_nothing(database_url: str, tmp_path: Path) -> None:
    site = shop(database_url, tmp_path)
    site.webhook({"name": "Purchase", "user": {"memberId": "victim", "email": "victim@example.com"},
                  "commerce": {"currency": "KRW", "value": 1000, "orderId": "1",
                               "items": [{"id": "a", "name": "A", "price": 1000, "quantity": 1}]}})
    site.browse("attacker-browser", "https://shop.example.com/account", member_id="victim")
    site.project()
    people = People(site.gateway.storage)
    [victim] = people.find("victim")
    [attacker] = people.find("attacker-browser")
    assert victim != attacker
    profile = people.profile(victim)
    assert profile is not None and profile["counts"]["events"] == 1
    assert {i["value"] for i in profile["identifiers"]} == {"victim", "victim@example.com"}


def test_a_member_hash_made_with_another_secret_links_nothing(database_url: str, tmp_path: Path) -> None:
    site = shop(database_url, tmp_path)
    site.webhook({"name": "SignUp", "user": {"memberId": "victim", "email": "victim@example.com"}})
    site.verified_login("attacker-browser", "victim", "https://shop.example.com/login",
                        hash_secret="00112233445566778899aabbccddeeff")
    site.project()
    people = People(site.gateway.storage)
    [victim] = people.find("victim")
    [attacker] = people.find("attacker-browser")
    assert victim != attacker, "tagway.js stored the Login without the member id its hash did not prove"


def test_two_members_on_one_browser_stay_two_people_with_the_conflict_recorded(
        database_url: str, tmp_path: Path) -> None:
    clock = Clock()
    site = shop(database_url, tmp_path, clock)
    site.browse("shared-ipad", "https://shop.example.com/")
    site.verified_login("shared-ipad", "alice", "https://shop.example.com/login")
    clock.advance(minutes=10)
    site.verified_login("shared-ipad", "bob", "https://shop.example.com/login")
    site.project()
    people = People(site.gateway.storage)
    [alice] = people.find("alice")
    [bob] = people.find("bob")
    assert alice != bob
    assert people.find("shared-ipad") == [alice], "the browser stays with the member it joined first"
    for person in (alice, bob):
        profile = people.profile(person)
        assert profile is not None
        assert [(c["kind"], c["value"], c["heldByMember"], c["claimedByMember"]) for c in profile["conflicts"]] == [
            ("anonymous", "shared-ipad", "alice", "bob")]


def test_junk_ids_never_link_and_an_email_from_the_browser_links_nothing(database_url: str, tmp_path: Path) -> None:
    site = shop(database_url, tmp_path, junk_ids=["test-user"])
    site.server_event({"name": "Lead", "user": {"memberId": "undefined", "anonymousId": "anon-a"}})
    site.server_event({"name": "Lead", "user": {"memberId": "Test-User", "anonymousId": "anon-b"}})
    site.server_event({"name": "Lead", "user": {"memberId": "0", "anonymousId": "anon-c"}})
    site.browse("anon-d", "https://shop.example.com/")
    site.project()
    people = People(site.gateway.storage)
    found = [people.find(anon) for anon in ("anon-a", "anon-b", "anon-c", "anon-d")]
    assert all(len(ids) == 1 for ids in found) and len({ids[0] for ids in found}) == 4
    assert people.find("undefined") == people.find("test-user") == people.find("0") == []


def test_an_email_links_only_from_a_source_trusted_for_it(database_url: str, tmp_path: Path) -> None:
    site = shop(database_url, tmp_path, contact_sources=["shop"])
    site.server_event({"name": "Lead", "user": {"anonymousId": "anon-x", "email": "lee@example.com"}})
    site.webhook({"name": "Lead", "user": {"anonymousId": "anon-y", "email": "lee@example.com"}})
    site.project()
    people = People(site.gateway.storage)
    assert people.find("lee@example.com") == people.find("anon-y") != people.find("anon-x")
