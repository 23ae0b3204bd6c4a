"""One order, many witnesses: the site's shared id of an order event, and the merge of its witnesses (pure)."""

from __future__ import annotations

from itertools import permutations
from typing import Any

from app.event.witnesses import Witness, claim_for_site, merge_witnesses, site_event_id, witness_kind

SITE = "shop.example"
ORDER_ID = "820982911946154508"
ID = site_event_id(SITE, "Purchase", ORDER_ID)

WEBHOOK = Witness("my-shop", "webhook", {
    "id": ID, "name": "Purchase", "occurredAt": "2026-11-24T11:59:50.000Z", "receivedAt": "2026-11-24T12:00:03.000Z",
    "source": {"id": "my-shop", "adapter": "shopify", "topic": "orders/create", "deliveryId": "wh-1"},
    "user": {"memberId": "115310627314723954", "email": "jon@example.com", "traits": {"firstName": "John"}},
    "properties": {"orderName": "#9999", "test": True},
    "commerce": {"orderId": ORDER_ID, "currency": "USD", "value": 404.95,
                 "items": [{"id": "788032119674292900", "name": "Aviator sunglasses", "price": 89.99, "quantity": 1}]},
    "context": {"locale": "en", "ip": "23.227.38.1", "userAgent": "Shopify-Captain-Hook"}})
PIXEL = Witness("shop-pixel", "server", {
    "id": ID, "name": "Purchase", "occurredAt": "2026-11-24T11:59:52.000Z", "receivedAt": "2026-11-24T12:00:01.000Z",
    "source": {"id": "shop-pixel", "adapter": "canonical", "deliveryId": "px-1"},
    "user": {"anonymousId": "shopify-client-7", "email": "typed@example.com"},
    "page": {"url": "https://shop.example/thank-you", "canonicalUrl": "https://shop.example/thank-you",
             "path": "/thank-you"},
    "properties": {"checkoutToken": "c-1", "test": False},
    "commerce": {"orderId": f"gid://shopify/Order/{ORDER_ID}", "currency": "USD", "value": 400},
    "context": {"ip": "198.51.100.7", "userAgent": "Mozilla/5.0 (pixel)",
                "campaign": {"source": "instagram", "medium": "social"}}})
GTM = Witness("shop-gtm", "browser", {
    "id": ID, "name": "Purchase", "occurredAt": "2026-11-24T11:59:55.000Z", "receivedAt": "2026-11-24T12:00:02.000Z",
    "source": {"id": "shop-gtm", "adapter": "gtm", "deliveryId": "gtm-1"},
    "user": {"anonymousId": "gtm-anon-3"},
    "page": {"url": "https://shop.example/checkouts/thank-you?utm_source=newsletter",
             "canonicalUrl": "https://shop.example/checkouts/thank-you", "path": "/checkouts/thank-you"},
    "commerce": {"orderId": ORDER_ID, "currency": "USD", "value": 404.95, "items": []},
    "context": {"ip": "198.51.100.7", "userAgent": "Mozilla/5.0 (GTM)",
                "campaign": {"source": "newsletter"}}})

# docs/witnesses.md: the order's facts from the webhook, the visit's from the browser.
MERGED: dict[str, Any] = {
    "id": ID, "name": "Purchase",
    "occurredAt": "2026-11-24T11:59:50.000Z",  # the webhook's: the platform's time of the order
    "receivedAt": "2026-11-24T12:00:01.000Z",  # the first arrival
    "source": WEBHOOK.event["source"],
    "user": {"anonymousId": "gtm-anon-3", "memberId": "115310627314723954", "email": "jon@example.com",
             "traits": {"firstName": "John"}},
    "page": GTM.event["page"],
    "properties": {"orderName": "#9999", "test": True, "checkoutToken": "c-1"},
    "commerce": WEBHOOK.event["commerce"],
    "context": {"locale": "en", "ip": "198.51.100.7", "userAgent": "Mozilla/5.0 (GTM)",
                "campaign": {"source": "newsletter"}},
}


def test_every_witness_of_an_order_gets_the_same_id_from_the_site_and_the_order_id() -> None:
    webhook = {"id": "from-delivery", "name": "Purchase", "source": {"id": "my-shop", "deliveryId": "wh-1"},
               "commerce": {"orderId": ORDER_ID}}
    browser = {"id": "client-uuid", "name": "Purchase", "source": {"id": "shop-gtm"},
               "commerce": {"orderId": f"gid://shopify/Order/{ORDER_ID}"}}
    assert claim_for_site(webhook, SITE) and claim_for_site(browser, SITE)
    assert webhook["id"] == browser["id"] == ID
    assert browser["source"]["deliveryId"] == "client-uuid", "the id it came with is kept"
    assert webhook["source"]["deliveryId"] == "wh-1", "the platform's delivery id stays"


def test_the_id_depends_on_the_site_the_name_and_the_order() -> None:
    ids = {site_event_id(site, name, order) for site in (SITE, "other.example") for name in ("Purchase", "Refund")
           for order in (ORDER_ID, "1")}
    assert len(ids) == 8


def test_each_refund_of_an_order_is_its_own_event() -> None:
    refunds = [{"name": "Refund", "source": {"id": "my-shop"}, "commerce": {"orderId": ORDER_ID},
                "properties": {"refundId": refund_id}} for refund_id in ("r-1", "r-2")]
    assert all(claim_for_site(refund, SITE) for refund in refunds)
    assert refunds[0]["id"] != refunds[1]["id"]
    assert refunds[0]["id"] == site_event_id(SITE, "Refund", ORDER_ID, "r-1")


def test_other_events_and_order_events_without_an_order_id_keep_their_id() -> None:
    for event in ({"id": "a", "name": "PageView"}, {"id": "b", "name": "Purchase", "commerce": {}},
                  {"id": "c", "name": "Purchase", "commerce": {"orderId": 5}}):
        assert not claim_for_site(event, SITE)
        assert event["id"] in ("a", "b", "c")


def test_the_order_facts_come_from_the_webhook_and_the_visit_facts_from_the_browser() -> None:
    assert merge_witnesses([WEBHOOK, PIXEL, GTM]) == MERGED


def test_the_merge_is_the_same_whatever_the_order_of_arrival() -> None:
    merged = [merge_witnesses(list(order)) for order in permutations([WEBHOOK, PIXEL, GTM])]
    assert len(merged) == 6 and all(m == MERGED for m in merged)


def test_without_the_webhook_the_server_witness_is_believed_on_the_order() -> None:
    merged = merge_witnesses([GTM, PIXEL])
    assert merged["commerce"] == PIXEL.event["commerce"] and merged["source"]["id"] == "shop-pixel"
    assert merged["user"] == {"anonymousId": "gtm-anon-3", "email": "typed@example.com"}
    assert merged["occurredAt"] == PIXEL.event["occurredAt"]


def test_a_lone_webhook_keeps_its_own_context() -> None:
    assert merge_witnesses([WEBHOOK]) == WEBHOOK.event


def test_witnesses_of_the_same_kind_are_ranked_by_source_id_not_by_arrival() -> None:
    other = Witness("a-gtm", "browser", {**GTM.event, "source": {"id": "a-gtm", "adapter": "gtm"},
                                        "user": {"anonymousId": "first-by-name"}})
    for order in permutations([GTM, other, WEBHOOK]):
        assert merge_witnesses(list(order))["user"]["anonymousId"] == "first-by-name"


def test_the_webhooks_numeric_order_id_and_the_pixels_gid_are_the_same_order() -> None:
    # Shopify's orders/create carries `id` as a JSON number (the adapter makes it "5812345678901"); the
    # custom pixel's checkout_completed carries `checkout.order.id`, which may be a GID.
    for pixel_order_id in ("gid://shopify/Order/5812345678901", "5812345678901"):
        webhook = {"id": "w", "name": "Purchase", "source": {"id": "my-shop"}, "commerce": {"orderId": "5812345678901"}}
        pixel = {"id": "sh-1", "name": "Purchase", "source": {"id": "shop-pixel"},
                 "commerce": {"orderId": pixel_order_id}}
        assert claim_for_site(webhook, SITE) and claim_for_site(pixel, SITE)
        assert webhook["id"] == pixel["id"] == site_event_id(SITE, "Purchase", "5812345678901")
    assert site_event_id(SITE, "Purchase", "gid://shopify/Order/58") != site_event_id(SITE, "Purchase", "5812345678901")


def test_a_browser_witness_is_a_platform_pixel_by_its_adapters_capability() -> None:
    assert witness_kind("collect", platform_pixel=True) == "pixel"
    assert witness_kind("collect") == "browser"
    assert witness_kind("webhook", platform_pixel=True) == "webhook", "only a browser witness is a pixel"
    assert witness_kind("events", platform_pixel=True) == "server"


def test_the_platforms_pixel_is_believed_before_a_tag_on_the_visit_whatever_the_source_ids() -> None:
    # "a-gtm" sorts before "shop-pixel": the tie-break by source id would have chosen GTM.
    tag = Witness("a-gtm", "browser", {**GTM.event, "source": {"id": "a-gtm", "adapter": "gtm"}})
    pixel = Witness("shop-pixel", "pixel", {**PIXEL.event, "source": {"id": "shop-pixel", "adapter": "shopify_pixel"}})
    for order in permutations([tag, pixel, WEBHOOK]):
        merged = merge_witnesses(list(order))
        assert merged["user"]["anonymousId"] == "shopify-client-7"
        assert merged["page"] == PIXEL.event["page"]
        assert merged["context"]["campaign"] == {"source": "instagram", "medium": "social"}
        assert merged["commerce"] == WEBHOOK.event["commerce"], "the order's facts stay the webhook's"
    without_webhook = merge_witnesses([tag, pixel])
    assert without_webhook["commerce"] == PIXEL.event["commerce"], "the platform's checkout before the shop's tag"
