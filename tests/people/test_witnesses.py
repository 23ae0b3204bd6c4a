"""The people projection follows the witnesses of an order: the browser that bought joins the customer.

A Shopify shop's signed `orders/create` webhook and its custom pixel's `checkout_completed` are two witnesses
of one Purchase (docs/witnesses.md); the pixel's anonymous id arrives only with the later witness, merged in
place into the stored event. The browser's earlier page views must join the buyer all the same, and a
rebuild (which finds the event already merged) must give the same tables. Real routes, both engines.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
import tomli_w
from click.testing import CliRunner
from flask import Flask

from adapters.testing import Clock
from app.cli import main
from app.gateway import Gateway
from app.projections.people.queries import People
from tests.delivery.test_one_purchase import (
    PIXEL_CLIENT_ID,
    PIXEL_KEY,
    PIXEL_PAGE,
    SAMPLE_ORDER_ID,
    SHOPIFY_SECRET,
    SITE,
    pixel_checkout_completed,
    send_pixel,
    send_webhook,
)
from tests.people.support import Shop
from tests.support.gateway import ADMIN_TOKEN, build_app
from tests.support.postgres import fresh_database

MEMBER_ID = "115310627314723954"  # the customer of Shopify's orders/create sample


def config(database_url: str) -> dict[str, Any]:
    """A shop whose webhook and custom pixel are sources of one site."""
    return {"admin": {"token": ADMIN_TOKEN}, "storage": {"url": database_url},
            "server": {"public_url": "https://gateway.example.com"},
            "sources": [{"id": "my-shop", "adapter": "shopify", "secret": SHOPIFY_SECRET, "site": SITE},
                        {"id": "shop-pixel", "adapter": "shopify_pixel", "write_key": PIXEL_KEY, "site": SITE}],
            "people": {"batch_size": 2}}  # small batches: witnesses and events interleave across them


@pytest.fixture
def shop(database_url: str) -> Shop:
    return Shop(build_app(config(database_url), Clock()), Clock())


def page_viewed(app: Flask, path: str, at: str) -> None:
    """The pixel's page_viewed from the same browser (Shopify's clientId), before the checkout."""
    envelope = pixel_checkout_completed(SAMPLE_ORDER_ID)
    event = envelope["event"]
    event.update(id=f"sh-view-{path}", name="page_viewed", timestamp=at, data={})
    event["context"]["document"]["location"]["href"] = f"https://shop.example{path}"
    event["context"]["document"]["title"] = path
    answer = app.test_client().post("/v1/collect", query_string={"k": PIXEL_KEY}, data=json.dumps(envelope),
                                    headers={"Content-Type": "text/plain;charset=UTF-8", "User-Agent": "Mozilla/5.0"})
    assert answer.status_code == 200 and answer.get_json()["stored"] == 1, answer.get_data(as_text=True)


def browse_before_buying(app: Flask) -> None:
    page_viewed(app, "/products/aviator", "2021-12-31T23:50:00Z")
    page_viewed(app, "/cart", "2021-12-31T23:55:00Z")


def the_person(gateway: Gateway) -> tuple[int, list[dict[str, Any]]]:
    """The one person the browser and the customer are, and their timeline's events, oldest first."""
    people = People(gateway.storage)
    [person] = people.find(PIXEL_CLIENT_ID)
    assert people.find(MEMBER_ID) == [person], "the browser that bought is the customer"
    sessions = people.timeline(person)["sessions"]
    return person, [event for session in reversed(sessions) for event in session["events"]]


def rebuilt_tables(shop: Shop, database_url: str, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The people tables after `tagway projections rebuild people`."""
    path = tmp_path / "tagway.toml"
    path.write_text(tomli_w.dumps(config(database_url)))
    result = CliRunner().invoke(main, ["-c", str(path), "projections", "rebuild", "people"])
    assert result.exit_code == 0, result.output
    return shop.tables()


def test_the_pixels_later_witness_joins_the_browsing_to_the_buyer(shop: Shop, database_url: str,
                                                                 tmp_path: Path) -> None:
    browse_before_buying(shop.app)
    send_webhook(shop.app, SAMPLE_ORDER_ID)
    shop.project()
    people = People(shop.gateway.storage)
    assert people.find(PIXEL_CLIENT_ID) != people.find(MEMBER_ID), "before the pixel's witness: two people"

    assert send_pixel(shop.app, SAMPLE_ORDER_ID)["duplicates"] == 1, "the pixel is a later witness"
    shop.project()
    _, events = the_person(shop.gateway)
    assert [(e["name"], e["url"]) for e in events] == [
        ("PageView", "https://shop.example/products/aviator"), ("PageView", "https://shop.example/cart"),
        ("Purchase", PIXEL_PAGE)], "the Purchase shows the merged event: the pixel's page"
    assert len(shop.tables()["people"]) == 1
    assert shop.project() == 0, "each witness is applied once"

    live = shop.tables()
    assert rebuilt_tables(shop, database_url, tmp_path) == live


def test_the_webhooks_later_witness_gives_the_browsing_buyer_their_member_id(shop: Shop, database_url: str,
                                                                            tmp_path: Path) -> None:
    browse_before_buying(shop.app)
    send_pixel(shop.app, SAMPLE_ORDER_ID)  # the pixel first: a browser's unverified claim links no member
    shop.project()
    assert People(shop.gateway.storage).find(MEMBER_ID) == []

    assert send_webhook(shop.app, SAMPLE_ORDER_ID)["duplicates"] == 1
    shop.project()
    person, events = the_person(shop.gateway)
    assert [e["name"] for e in events] == ["PageView", "PageView", "Purchase"]
    assert events[-1]["occurredAt"] == "2022-01-01T00:00:00.000Z", "the order's time, as the merge says"
    profile = People(shop.gateway.storage).profile(person)
    assert profile is not None and profile["memberId"] == MEMBER_ID
    assert profile["traits"] == {"firstName": "John", "lastName": "Smith"}

    live = shop.tables()
    assert rebuilt_tables(shop, database_url, tmp_path) == live


def test_a_witness_committed_after_a_later_one_is_not_skipped(postgres_url: str) -> None:
    site = Shop(build_app(config(fresh_database(postgres_url)), Clock()), Clock())
    for order_id in (SAMPLE_ORDER_ID, SAMPLE_ORDER_ID + 1):
        send_webhook(site.app, order_id)
    site.project()
    runner = site.gateway.projection_runner()
    storage = site.gateway.storage
    with storage.transaction() as connection:
        seq, event_id, body = connection.execute(
            "SELECT seq, event_id, body FROM events ORDER BY seq LIMIT 1").fetchone()
    slow_witness = json.loads(body)
    slow_witness["user"] = {"anonymousId": "slow-browser"}
    slow_witness["source"] = {"id": "shop-pixel", "adapter": "shopify_pixel"}
    with psycopg.connect(storage.url, autocommit=False) as slow:  # type: ignore[attr-defined]
        slow.execute("INSERT INTO witnesses (event_id, source_id, event_seq, kind, received_at, body) "
                     "VALUES (%s, 'shop-pixel', %s, 'pixel', %s, %s)",
                     (event_id, seq, slow_witness["receivedAt"], json.dumps(slow_witness)))
        # The pixel's witness of the second order draws a later witness seq and commits first.
        send_pixel(site.app, SAMPLE_ORDER_ID + 1)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            runner.step("people")
            time.sleep(0.05)
        people = People(storage)
        assert people.find(PIXEL_CLIENT_ID) == [], "nothing past the open transaction's witness is final yet"
        slow.commit()
    runner.catch_up("people", runner.newest_seq())
    assert people.find("slow-browser") == people.find(MEMBER_ID) != []
    assert len(people.find(PIXEL_CLIENT_ID)) == 1
