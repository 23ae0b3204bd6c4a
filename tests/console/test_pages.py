"""The console's pages through the Flask test client: details, sources, the URL checker and deliveries."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

from flask import Flask

from app.delivery.worker import DeliveryWorker
from app.gateway import Gateway
from tests.console.conftest import GTM_WRITE_KEY, Console, sign_in
from tests.support.gateway import ADMIN_TOKEN, OTHER_WRITE_KEY, SIGNING_SECRET, WRITE, WRITE_KEY, Clock
from tests.support.receiver import Receiver

PURCHASE = {"name": "Purchase", "user": {"memberId": "m-7"},
            "commerce": {"orderId": "1001", "value": 25.5, "currency": "USD"}}


def pixel(console: Console, payload: dict[str, Any]) -> None:
    """A GTM web tag's pixel: the payload base64-encoded in the URL, the write key as `k`."""
    data = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    response = console.client.get(f"/v1/collect?k={GTM_WRITE_KEY}&v=1&d={data}")
    assert response.status_code == 200 and response.mimetype == "image/gif"


def text_of(page: str) -> str:
    """The page as a person reads it: tags removed, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_an_event_is_shown_beside_the_request_it_came_from(console: Console) -> None:
    pixel(console, {"v": 1, "id": "pv-1", "event": "gtm.js", "user": {"anonymousId": "visitor-9"},
                    "page": {"url": "https://shop.example.com/shoes?utm_source=mail", "title": "Shoes"}})
    page = console.get("/console/events/1")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "What was received" in shown and "The canonical event stored" in shown
    assert "GET /v1/collect" in shown
    assert re.search(r"\bk \*\*\*", shown), "the write key in the query is masked"
    assert '"canonicalUrl": "https://shop.example.com/shoes"' in html.unescape(page.text)
    assert '"anonymousId": "visitor-9"' in html.unescape(page.text)
    assert GTM_WRITE_KEY not in page.text


def test_by_default_an_event_says_its_request_was_not_kept_and_how_to_keep_it(make_app: Any, config: Any) -> None:
    app = make_app(storage={"url": config["storage"]["url"]})  # the console suite's own setting left out
    client = app.test_client()
    console = Console(client, sign_in(client))
    pixel(console, {"v": 1, "id": "pv-2", "event": "gtm.js", "user": {"anonymousId": "visitor-3"},
                    "page": {"url": "https://shop.example.com/hats", "title": "Hats"}})
    shown = text_of(console.get("/console/events/1").text)
    assert "The canonical event stored" in shown and '"anonymousId": "visitor-3"' in html.unescape(shown)
    assert "The request this came from was not kept" in shown
    assert "keep_accepted_inputs = true under [storage]" in shown


def test_a_large_request_body_is_shown_whole(console: Console) -> None:
    note = "a long note " * 400  # ~5 KB: kept compressed by the storage, shown as sent
    assert console.client.post("/v1/events", json={"name": "Lead", "properties": {"note": note[:500]},
                                                   "padding": note}, headers=WRITE).status_code == 400
    page = html.unescape(console.get("/console/rejections/1").text)
    assert note.strip() in page


def test_a_rejection_shows_its_reason_as_field_value_and_expectation(console: Console) -> None:
    bad = {"name": "Purchase", "user": {"memberId": "m-7"}, "commerce": {"value": "lots", "currency": "USD"}}
    assert console.client.post("/v1/events", json=bad, headers=WRITE).status_code == 400
    page = console.get("/console/rejections/1")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Rejected: The event does not match the canonical event" in shown
    rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
    cells = [text_of(row).strip() for row in rows[1:]]
    assert any(cell.startswith("commerce.value") and '"lots"' in cell for cell in cells), cells
    assert any(cell.startswith("commerce.orderId") and "nothing (missing or null)" in cell for cell in cells), cells
    assert "POST /v1/events" in shown and '"value": "lots"' in html.unescape(page.text)


def test_a_secret_inside_an_event_is_never_shown(console: Console, gateway: Gateway) -> None:
    # Someone pastes the wrong thing: the write key as the event id and in a property.
    event = {"id": GTM_WRITE_KEY, "name": "Lead", "properties": {"note": SIGNING_SECRET}}
    assert console.client.post("/v1/events", json=event, headers=WRITE).status_code == 200
    for path in ("/console/events/1", "/console/api/live/recent"):
        shown = console.get(path).text
        assert GTM_WRITE_KEY not in shown and SIGNING_SECRET not in shown
        assert "[redacted]" in shown


def test_a_missing_event_or_rejection_is_a_plain_404_page(console: Console) -> None:
    for path in ("/console/events/42", "/console/rejections/42", "/console/events/99999999999999999999"):
        response = console.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "There is no" in response.text


def test_sources_show_what_to_paste_and_the_setup_steps_but_no_secret(console: Console, gateway: Gateway) -> None:
    page = console.get("/console/sources")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Google Tag Manager (dataLayer)" in shown and "Shop website" in shown
    assert 'value="https://gateway.example.com"' in page.text  # the GTM tag's gateway URL
    assert 'value="https://gateway.example.com/v1/webhooks/backend"' in page.text
    steps = gateway.adapters["gtm"].setup_steps(gateway.sources.all()["gtm"].as_adapter_source(),
                                                gateway.webhook_url("gtm"))
    for step in steps:  # backticked text is shown as code
        assert " ".join(step.replace("`", "").split()) in " ".join(shown.split())
    assert "<code>tagway sources list --reveal</code>" in page.text
    for secret in (WRITE_KEY, OTHER_WRITE_KEY, GTM_WRITE_KEY, SIGNING_SECRET, ADMIN_TOKEN):
        assert secret not in page.text
    assert "wk_gtm…" in page.text and "whsec_…" in page.text  # masked: the first characters only


def test_a_secret_is_revealed_only_by_a_post_with_the_csrf_token(console: Console) -> None:
    path = "/console/api/sources/backend/secrets/secret"
    assert console.client.get(path).status_code == 405
    response = console.client.post(path, headers={"X-CSRF-Token": console.csrf})
    assert response.status_code == 200 and response.get_json()["value"] == SIGNING_SECRET
    assert response.headers["Cache-Control"] == "no-store"
    gtm = console.client.post("/console/api/sources/gtm/secrets/write_key", headers={"X-CSRF-Token": console.csrf})
    assert gtm.get_json()["value"] == GTM_WRITE_KEY


def test_only_secrets_of_configured_sources_can_be_revealed(console: Console) -> None:
    for path in ("/console/api/sources/nope/secrets/write_key", "/console/api/sources/web/secrets/title",
                 "/console/api/sources/web/secrets/secret"):
        response = console.client.post(path, headers={"X-CSRF-Token": console.csrf})
        assert response.status_code == 404


def test_sources_count_accepted_and_rejected_inputs_by_hour_and_day(make_app: Any, clock: Clock) -> None:
    from tests.console.conftest import Console as Browser
    from tests.console.conftest import sign_in

    app: Flask = make_app()
    client = app.test_client()
    console = Browser(client, sign_in(client))
    for n in range(3):
        assert client.post("/v1/events", json={"id": f"old-{n}", "name": "Lead"}, headers=WRITE).status_code == 200
    clock.advance(hours=2)
    assert client.post("/v1/events", json={"id": "new-1", "name": "Lead"}, headers=WRITE).status_code == 200
    assert client.post("/v1/events", json={"name": "Purchase"}, headers=WRITE).status_code == 400
    clock.advance(hours=23)  # the first three are now older than a day
    assert client.post("/v1/events", json={"id": "new-2", "name": "Lead"}, headers=WRITE).status_code == 200
    page = text_of(console.get("/console/sources").text)
    website = page[page.index("Source web"):page.index("Source backend")]
    assert "Events accepted 1 2" in website  # last hour 1, last 24 hours 2
    assert "Rejected 0 1" in website
    assert "Last event: 2026-11-25T13:00:00.000Z" in website
    backend = page[page.index("Source backend"):page.index("Source gtm")]
    assert "Last event: none yet" in backend


def test_the_checker_shows_the_canonical_url_and_the_rules(console: Console) -> None:
    response = console.post("/console/checker", {"url": "HTTPS://Shop.Example.com:443/shoes?utm_source=mail&b=2&a=1#top"})
    assert response.status_code == 200
    assert re.search(r'id="canonical-url">https://shop.example.com/shoes\?a=1&amp;b=2<', response.text)
    shown = text_of(response.text)
    for rule in ("lowercase-scheme-and-host", "drop-default-port", "drop-tracking-params", "sort-query",
                 "drop-fragment"):
        assert rule in shown
    assert "Parameters removed utm_source" in shown
    assert "source mail" in shown  # the campaign


def test_the_checker_explains_an_invalid_url(console: Console) -> None:
    for url in ("shop.example.com/shoes", "ftp://shop.example.com/", "", "http://[::1"):
        response = console.post("/console/checker", {"url": url})
        assert response.status_code == 400
        assert "Enter the address" in response.text or "must be a full address" in response.text


def test_a_dead_letter_is_shown_with_its_error_and_replayed_after_confirmation(
        console: Console, app: Flask, gateway: Gateway, receiver: Receiver) -> None:
    assert console.client.post("/v1/events", json=PURCHASE, headers=WRITE).status_code == 200
    worker = DeliveryWorker(gateway.worker_parts())
    worker.run_once()  # the receiver answers 410 Gone: a dead letter at once
    page = console.get("/console/deliveries")
    shown = text_of(page.text)
    assert "CRM webhook" in shown and "Dead 1" in shown and "Delivered 0" in shown
    assert "Last error: webhook answered 410" in shown
    delivery_id = re.search(r'id="delivery-(\d+)"', page.text)[1]  # type: ignore[index]

    confirm = console.get(f"/console/deliveries/replay?destination=crm&id={delivery_id}")
    assert confirm.status_code == 200 and "Replay this dead letter?" in text_of(confirm.text)
    assert "Dead 1" in text_of(console.get("/console/deliveries").text)  # asking changes nothing

    done = console.post("/console/deliveries/replay", {"destination": "crm", "id": delivery_id})
    assert done.status_code == 303
    after = text_of(console.get(done.headers["Location"]).text)
    assert "1 delivery queued again for crm" in after and "Dead 0" in after and "Pending 1" in after

    receiver.default_status = 200  # the destination is fixed: the replayed delivery goes through
    worker.run_once()
    assert "Delivered 1" in text_of(console.get("/console/deliveries").text)


def test_replaying_all_dead_letters_of_a_destination(console: Console, gateway: Gateway) -> None:
    for n in range(3):
        event = {**PURCHASE, "id": f"p-{n}", "commerce": {**PURCHASE["commerce"], "orderId": str(n)}}
        assert console.client.post("/v1/events", json=event, headers=WRITE).status_code == 200
    DeliveryWorker(gateway.worker_parts()).run_once()
    confirm = text_of(console.get("/console/deliveries/replay?destination=crm").text)
    assert "Replay all dead letters?" in confirm and "3 deliveries to crm will be sent again" in confirm
    done = console.post("/console/deliveries/replay", {"destination": "crm"})
    assert "3 deliveries queued again" in text_of(console.get(done.headers["Location"]).text)


def test_replay_of_an_unknown_destination_changes_nothing(console: Console) -> None:
    response = console.post("/console/deliveries/replay", {"destination": "nope"})
    assert response.status_code == 303 and response.headers["Location"] == "/console/deliveries"
