"""The console's People pages through Flask: the lag, a search, a person, an event's link, secrets kept out."""

from __future__ import annotations

from pathlib import Path

from adapters.testing import Clock
from tests.console.conftest import sign_in
from tests.people.support import BROWSER_KEY, shop


def test_the_people_page_says_how_far_behind_it_is_and_finds_a_person(tmp_path: Path) -> None:
    clock = Clock()
    site = shop(f"sqlite:///{tmp_path / 'c.db'}", tmp_path, clock)
    sign_in(site.client)
    site.browse("anon-c", "https://shop.example.com/")
    clock.advance(seconds=30)
    site.browse("anon-c", f"https://shop.example.com/share?k={BROWSER_KEY}", event="chat_open")
    behind = site.client.get("/console/people").get_data(as_text=True)
    assert "Catching up: 2 events (30 s) not linked yet." in behind
    site.project()
    page = site.client.get("/console/people", query_string={"q": "anon-c"}).get_data(as_text=True)
    assert "Up to date with every stored event." in page
    assert "1 person for <code>anon-c</code>" in page
    person_id = site.client.get("/v1/people", query_string={"identifier": "anon-c"},
                                headers={"Authorization": "Bearer adm_test_0123456789abcdefghij"}).get_json()[
        "items"][0]["id"]
    person = site.client.get(f"/console/people/{person_id}").get_data(as_text=True)
    assert "Before the chat" in person and 'class="before-chat"' in person
    assert BROWSER_KEY not in person, "a write key in a page's address is not shown"
    assert site.client.get("/console/people/999999").status_code == 404
    chat_seq = max(int(line.split("/console/events/")[1].split('"')[0]) for line in person.splitlines()
                   if "/console/events/" in line)
    event_page = site.client.get(f"/console/events/{chat_seq}").get_data(as_text=True)
    assert f'href="/console/people/{person_id}"' in event_page
