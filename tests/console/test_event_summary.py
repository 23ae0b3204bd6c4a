"""The event page leads with what happened, who, and how much in a person's words; the live name filter
ignores case, on both engines."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.console.conftest import Console, sign_in
from tests.console.test_pages import text_of
from tests.support.gateway import WRITE, Clock

ORDER = {"name": "Purchase", "user": {"memberId": "m-7", "email": "ada@example.com",
                                      "traits": {"firstName": "Ada", "lastName": "Lovelace"}},
         "properties": {"orderName": "#1001"},
         "commerce": {"orderId": "820982911946154508", "value": 19.9, "currency": "EUR",
                      "items": [{"id": "SKU-1", "name": "Trail shoe", "price": 9.95, "quantity": 2}]}}


def summary_of(page: str) -> str:
    """The summary panel's text, which comes before the canonical event's JSON."""
    start, json_start = page.index('id="event-summary"'), page.index('id="canonical-event"')
    assert start < json_start, "the summary comes before the JSON"
    return text_of(page[start:page.index("</section>", start)])


def test_an_order_leads_with_its_number_its_buyer_and_its_amount(console: Console) -> None:
    assert console.client.post("/v1/events", json=ORDER, headers=WRITE).status_code == 200
    shown = summary_of(console.get("/console/events/1").text)
    assert "Placed an order" in shown
    assert "Who Ada Lovelace · ada@example.com · member m-7" in shown
    assert "Order #1001" in shown and "820982911946154508" not in shown
    assert "How much €19.90" in shown and "19.9 EUR" not in shown
    assert "Items 1 item: Trail shoe × 2" in shown


def test_money_takes_each_currencys_symbol_and_decimals(console: Console) -> None:
    won = {"name": "AddToCart", "user": {"anonymousId": "visitor-1"},
           "commerce": {"currency": "KRW", "value": 19900, "items": [{"id": "A", "name": "Tea", "price": 19900,
                                                                      "quantity": 1}]}}
    assert console.client.post("/v1/events", json=won, headers=WRITE).status_code == 200
    shown = summary_of(console.get("/console/events/1").text)
    assert "Added to the cart" in shown and "How much ₩19,900" in shown
    assert "Who an anonymous visitor (visitor-1)" in shown


def test_a_custom_event_and_a_page_view_say_what_and_where(console: Console) -> None:
    console.client.post("/v1/events", json={"name": "WishlistShared", "user": {"anonymousId": "v-2"}}, headers=WRITE)
    console.client.post("/v1/events", json={"name": "PageView", "user": {"anonymousId": "v-2"},
                                            "page": {"url": "https://shop.example.com/?utm_source=mail&utm_medium=email",
                                                     "title": "Home"}}, headers=WRITE)
    assert "WishlistShared (a custom event)" in summary_of(console.get("/console/events/1").text)
    page_view = summary_of(console.get("/console/events/2").text)
    assert "Viewed a page" in page_view and "Page Home (https://shop.example.com/" in page_view
    assert "Campaign mail / email" in page_view


def test_the_live_list_shows_orders_and_money_the_same_way(console: Console) -> None:
    console.client.post("/v1/events", json=ORDER, headers=WRITE)
    [row] = console.get("/console/api/live/recent").get_json()["rows"]
    assert row["summary"].startswith("Order #1001 · €19.90 · 1 item")


def test_the_name_filter_ignores_case_on_both_engines(make_app: Callable[..., Flask], database_url: str,
                                                      clock: Clock) -> None:
    app = make_app(storage={"url": database_url})
    app.config["TAGWAY_CONSOLE_STREAM_SECONDS"] = 0.6
    client = app.test_client()
    console = Console(client, sign_in(client))
    client.post("/v1/events", json=ORDER, headers=WRITE)
    client.post("/v1/events", json={"name": "Lead"}, headers=WRITE)
    cursor = console.get("/console/api/live/recent").get_json()["cursor"]
    client.post("/v1/events", json={"name": "Purchase", "user": {"memberId": "m-8"}}, headers=WRITE)  # refused
    client.post("/v1/events", json={**ORDER, "properties": {"orderName": "#1002"}}, headers=WRITE)
    recent = console.get("/console/api/live/recent?name=purchase").get_json()["rows"]
    assert sorted(row["key"] for row in recent) == ["e1", "e3", "r1"]
    streamed = console.get(f"/console/api/live/stream?name=PURCHASE&after={cursor}").text
    assert '"key":"e3"' in streamed and '"key":"r1"' in streamed and '"key":"e2"' not in streamed
