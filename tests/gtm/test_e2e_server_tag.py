"""End to end: the server template's code posts GA4 event data to a real gateway, which stores the canonical event."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gtm.conftest import SERVER_SOURCE
from tests.gtm.e2e_support import firing_summary, stored_events
from tests.gtm.node_runner import SERVER_TEMPLATE, fire
from tests.support.server import RunningGateway

pytestmark = pytest.mark.e2e

PURCHASE: dict[str, Any] = {
    "event_name": "purchase", "event_id": "sgtm-e2e-purchase-1", "client_id": "1234567890.1764000000",
    "user_id": "member-77", "page_location": "https://shop.example.com/checkout/thanks", "page_title": "Thank you",
    "page_referrer": "https://shop.example.com/checkout", "transaction_id": "T-SERVER-1", "value": 59000,
    "currency": "KRW", "items": [{"item_id": "P0000BIK", "item_name": "여름 린넨 셔츠", "price": 29500, "quantity": 2}],
    "x-ga-protocol_version": "2", "ip_override": "203.0.113.9", "user_agent": "Mozilla/5.0",
}


def test_a_ga4_purchase_is_posted_and_stored_once(gtm_gateway: RunningGateway) -> None:
    source_id, write_key = SERVER_SOURCE
    fields = {"gatewayUrl": gtm_gateway.url, "writeKey": write_key}

    # The same event twice (a client that repeats it keeps its event_id): both posts succeed, one event is stored.
    firings = fire(SERVER_TEMPLATE, {"data": fields, "events": [PURCHASE, PURCHASE]})

    assert [f["outcome"] for f in firings] == ["success", "success"], firing_summary(firings)
    assert [f["requests"][0]["status"] for f in firings] == [200, 200]
    [event] = stored_events(gtm_gateway, source_id)
    assert event["id"] == "sgtm-e2e-purchase-1"
    assert event["name"] == "Purchase"
    assert (event["commerce"]["orderId"], event["commerce"]["value"], event["commerce"]["currency"]) == (
        "T-SERVER-1", 59000, "KRW")
    assert event["commerce"]["items"][0]["id"] == "P0000BIK"
    assert event["user"] == {"anonymousId": "1234567890.1764000000", "memberId": "member-77"}
    assert event["page"]["url"] == "https://shop.example.com/checkout/thanks"
    assert "ipOverride" not in event.get("properties", {})
    assert event["context"]["library"] == {"name": "tagway-gtm-server", "version": "1.0.0"}


def test_a_refused_post_fails_the_tag(gtm_gateway: RunningGateway) -> None:
    fields = {"gatewayUrl": gtm_gateway.url, "writeKey": "wk_not_a_key_of_this_gateway_0123"}

    [firing] = fire(SERVER_TEMPLATE, {"data": fields, "events": [PURCHASE]})

    assert firing["outcome"] == "failure"
    assert firing["requests"][0]["status"] == 401
