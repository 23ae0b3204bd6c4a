"""End to end: an event too long for one pixel URL travels in chunks and is stored whole."""

from __future__ import annotations

import pytest

from tests.gtm.conftest import LONG_SOURCE
from tests.gtm.e2e_support import firing_summary, stored_events, web_fields
from tests.gtm.node_runner import WEB_TEMPLATE, fire
from tests.support.server import RunningGateway

pytestmark = pytest.mark.e2e


def test_forty_items_arrive_in_chunks_within_the_url_limit_and_are_stored_whole(gtm_gateway: RunningGateway) -> None:
    source_id, write_key = LONG_SOURCE
    items = [{"item_id": f"SKU-{n}", "item_name": f"여름 린넨 셔츠 {n}", "price": 29500 + n, "quantity": 1}
             for n in range(40)]
    push = {"event": "purchase", "ecommerce": {"transaction_id": "T-LONG-40", "currency": "KRW", "items": items}}

    [firing] = fire(WEB_TEMPLATE, {"data": web_fields(gtm_gateway, write_key), "pushes": [push]})

    assert firing["outcome"] == "success", firing_summary([firing])
    pixels = firing["requests"]
    assert len(pixels) >= 3
    assert max(pixel["length"] for pixel in pixels) <= 2000
    # Each chunk is kept (202) until the last one completes the payload (200).
    assert sorted(pixel["status"] for pixel in pixels) == [200] + [202] * (len(pixels) - 1)
    [event] = stored_events(gtm_gateway, source_id)
    assert event["name"] == "Purchase"
    assert event["commerce"]["orderId"] == "T-LONG-40"
    assert len(event["commerce"]["items"]) == 40
    assert event["commerce"]["value"] == sum(29500 + n for n in range(40))
    assert event["commerce"]["items"][39]["name"] == "여름 린넨 셔츠 39"
