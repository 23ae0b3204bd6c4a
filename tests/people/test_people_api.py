"""/v1/people: find a person by any identifier, their profile, timeline by session, the journey before a chat."""

from __future__ import annotations

from pathlib import Path

from adapters.testing import Clock
from tests.people.support import ADMIN, Shop, shop


def _visit_then_chat(clock: Clock, site: Shop) -> None:
    site.browse("anon-9", "https://shop.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn",
                referrer="https://mail.example.com/")
    clock.advance(seconds=40)
    site.browse("anon-9", "https://shop.example.com/products/wool-coat")
    clock.advance(seconds=95)
    site.browse("anon-9", "https://shop.example.com/faq/returns")
    clock.advance(seconds=20)
    site.browse("anon-9", "https://shop.example.com/faq/returns", event="chat_open")


def test_a_person_is_found_by_any_identifier_and_their_timeline_pages_by_session(tmp_path: Path,
                                                                                 database_url: str) -> None:
    clock = Clock()
    site = shop(database_url, tmp_path, clock)
    site.browse("anon-9", "https://shop.example.com/")
    clock.advance(hours=3)
    _visit_then_chat(clock, site)
    clock.advance(minutes=1)
    site.server_event({"name": "SignUp", "user": {"anonymousId": "anon-9", "memberId": "m-9",
                                                 "phone": "+82 10-1234-5678",
                                                 "traits": {"name": "Kim", "plan": "free"}}})
    clock.advance(minutes=1)
    site.server_event({"name": "ProfileUpdate", "user": {"memberId": "m-9", "traits": {"plan": "pro"}}})
    site.project()

    for identifier in ("anon-9", "m-9", "+821012345678"):
        found = site.client.get("/v1/people", query_string={"identifier": identifier}, headers=ADMIN)
        assert found.status_code == 200
        [person] = found.get_json()["items"]
        assert person["memberId"] == "m-9"
    assert person["traits"] == {"name": "Kim", "plan": "pro"}, "the later value wins"
    assert person["counts"] == {"events": 7, "sessions": 2, "pageViews": 4}
    assert site.client.get("/v1/people", query_string={"identifier": "nobody"}, headers=ADMIN).get_json() == {
        "items": []}

    first = site.client.get(f"/v1/people/{person['id']}/timeline", query_string={"limit": 6}, headers=ADMIN)
    assert first.status_code == 200
    page = first.get_json()
    [latest] = page["sessions"]
    assert [e["name"] for e in latest["events"]] == ["PageView", "PageView", "PageView", "UserChatOpen", "SignUp",
                                                     "ProfileUpdate"]
    assert latest["campaign"] == {"source": "newsletter", "medium": "email", "name": "autumn"}
    assert latest["partial"] is False and latest["eventCount"] == 6
    second = site.client.get(f"/v1/people/{person['id']}/timeline", query_string={"limit": 6, "before": page["next"]},
                             headers=ADMIN).get_json()
    assert [[e["name"] for e in s["events"]] for s in second["sessions"]] == [["PageView"]]
    assert second["next"] is None
    seq = latest["events"][0]["seq"]
    assert site.client.get("/v1/people", query_string={"event": seq}, headers=ADMIN).get_json()["items"][0]["id"] == \
        person["id"], "an event leads to its person"


def test_the_journey_before_a_chat(tmp_path: Path, database_url: str) -> None:
    clock = Clock()
    site = shop(database_url, tmp_path, clock)
    _visit_then_chat(clock, site)
    site.project()
    [person] = site.client.get("/v1/people", query_string={"identifier": "anon-9"}, headers=ADMIN).get_json()["items"]
    answer = site.client.get(f"/v1/people/{person['id']}/journey", headers=ADMIN)
    assert answer.status_code == 200
    journey = answer.get_json()
    assert journey["page"] == "https://shop.example.com/faq/returns"
    assert [(p["url"], p["secondsOnPage"]) for p in journey["pages"]] == [
        ("https://shop.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn", 40.0),
        ("https://shop.example.com/products/wool-coat", 95.0),
        ("https://shop.example.com/faq/returns", 20.0)]
    assert journey["landingUrl"].startswith("https://shop.example.com/?utm_source=newsletter")
    assert journey["referrer"] == "https://mail.example.com/"
    assert journey["campaign"]["name"] == "autumn"
    again = site.client.get(f"/v1/people/{person['id']}/journey", query_string={"event": journey["chatSeq"]},
                            headers=ADMIN).get_json()
    assert again == journey


def test_bad_requests_are_problems_naming_the_field(tmp_path: Path) -> None:
    site = shop(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    neither = site.client.get("/v1/people", headers=ADMIN)
    assert neither.status_code == 400
    assert neither.get_json()["errors"][0]["field"] == "identifier"
    missing = site.client.get("/v1/people/12345", headers=ADMIN)
    assert missing.status_code == 404
    assert missing.get_json()["errors"] == [{"field": "person_id", "value": 12345, "expectation": (
        "the id of a person (GET /v1/people finds one by any identifier)")}]
    assert site.client.get("/v1/people/12345/timeline", headers=ADMIN).status_code == 404
    bad_page = site.client.get("/v1/people/1/timeline", query_string={"before": "x"}, headers=ADMIN)
    assert bad_page.status_code == 400 and bad_page.get_json()["errors"][0]["field"] == "before"
    assert site.client.get("/v1/people", query_string={"identifier": "a"}).status_code == 401
    assert site.client.delete("/v1/people/1").status_code == 401
