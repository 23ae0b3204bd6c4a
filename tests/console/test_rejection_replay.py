"""A rejection's page says how to fix it in plain words, and replays the kept input on request."""

from __future__ import annotations

import re

from app.ingest.pipeline import _REASON_OF_SLUG
from app.problems import REJECTION_HELP
from tests.console.conftest import Console
from tests.console.test_pages import text_of
from tests.support.gateway import WRITE, WRITE_KEY

LEAD = {"name": "Lead", "user": {"anonymousId": "visitor-1"}}


def test_every_reason_ingestion_keeps_has_a_title_and_a_fix() -> None:
    reasons = set(_REASON_OF_SLUG.values()) | {"schema"}
    missing = sorted(reason for reason in reasons if not all(REJECTION_HELP.get(reason, ("", ""))))
    assert not missing, f"no plain 'how to fix' text for the rejection reasons {missing} in app/problems.py"


def test_a_rejection_page_says_how_to_fix_it(console: Console) -> None:
    console.client.post("/v1/events", json={"name": "Purchase", "commerce": {"value": 5, "currency": "EUR"}},
                        headers=WRITE)
    shown = text_of(console.get("/console/rejections/1").text)
    assert "How to fix it" in shown
    assert "a Purchase needs its order id, value and currency" in shown


def test_a_wrong_write_key_rejection_says_where_to_find_the_right_one(console: Console) -> None:
    response = console.client.post("/v1/events", json=LEAD, headers={"Authorization": "Bearer wk_not_known_0123456789"})
    assert response.status_code == 401
    rejection_id = response.json["rejectionId"]
    shown = text_of(console.get(f"/console/rejections/{rejection_id}").text)
    assert "Rejected: Missing or wrong write key" in shown
    assert "press Reveal beside the write key" in shown


def test_a_replay_refused_again_links_the_new_rejection(console: Console) -> None:
    """Nothing was fixed: the Purchase still lacks its order id, so the replay is kept as a new rejection."""
    refused = console.client.post("/v1/events", json={"name": "Purchase", "commerce": {"currency": "EUR"}},
                                  headers=WRITE)
    first = refused.json["rejectionId"]
    page = console.get(f"/console/rejections/{first}")
    assert f'action="/console/rejections/{first}/replay"' in page.text
    again = console.post(f"/console/rejections/{first}/replay")
    assert again.status_code == 303
    assert re.search(rf"/console/rejections/{first}\?replayed=refused&again=(\d+)#replay-outcome$",
                     again.headers["Location"])
    shown = console.get(again.headers["Location"])
    second = int(re.search(r"again=(\d+)", again.headers["Location"])[1])  # type: ignore[index]
    assert second != first
    assert "Replayed, and refused again" in text_of(shown.text)
    assert f'href="/console/rejections/{second}"' in shown.text


def test_an_input_for_an_unknown_source_is_replayed_into_a_chosen_one(console: Console) -> None:
    body = b'{"type": "Lead", "data": {}}'
    response = console.client.post("/v1/webhooks/no-such-source", data=body,
                                   headers={"Content-Type": "application/json"})
    assert response.status_code == 404
    rejection_id = response.json["rejectionId"]
    page = console.get(f"/console/rejections/{rejection_id}")
    shown = text_of(page.text)
    assert "Rejected: No such source" in shown and "Replay into source" in shown
    assert '<option value="web">web</option>' in page.text
    refused = console.post(f"/console/rejections/{rejection_id}/replay", {"source": "nowhere"})
    assert refused.status_code == 409
    assert "This rejection was not replayed" in text_of(refused.text)
    assert "source: expected a configured source" in text_of(refused.text)


def test_replay_accepts_an_event_refused_for_a_write_key_once_the_key_is_right(console: Console) -> None:
    """An event sent with a write key the gateway did not know is kept without a source; replayed into one, stored."""
    response = console.client.post("/v1/events", json=LEAD, headers={"Authorization": "Bearer wk_not_known_0123456789"})
    rejection_id = response.json["rejectionId"]
    replayed = console.post(f"/console/rejections/{rejection_id}/replay", {"source": "web"})
    assert replayed.status_code == 303, replayed.text
    assert replayed.headers["Location"].endswith("?replayed=accepted#replay-outcome")
    shown = text_of(console.get(replayed.headers["Location"]).text)
    assert "Replayed: accepted 1, stored 1, rejected 0" in shown
    assert "replayed and accepted already" in shown, "a second replay could store the event twice"
    assert f'action="/console/rejections/{rejection_id}/replay"' not in console.get(replayed.headers["Location"]).text
    events = console.client.get("/v1/events", headers={"Authorization": "Bearer adm_test_0123456789abcdefghij"})
    assert [item["event"]["name"] for item in events.json["items"]] == ["Lead"]
    assert WRITE_KEY not in shown


def test_replay_needs_the_pages_security_token(console: Console) -> None:
    response = console.client.post("/v1/events", json={"name": "Purchase"}, headers=WRITE)
    rejection_id = response.json["rejectionId"]
    refused = console.client.post(f"/console/rejections/{rejection_id}/replay")
    assert refused.status_code == 403
    assert "Replayed" not in text_of(console.get(f"/console/rejections/{rejection_id}").text)
