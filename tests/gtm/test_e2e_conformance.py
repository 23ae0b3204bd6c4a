"""End to end: the web template's code, fed each conformance scenario's dataLayer pushes, sends real pixels to a
real gateway (`tagway serve`), and the gateway stores the canonical events the scenario expects, in order."""

from __future__ import annotations

import pytest

from tests.gtm.conftest import STALE_SOURCE
from tests.gtm.e2e_support import (
    Scenario,
    firing_summary,
    load_scenarios,
    rejections,
    stored_events,
    value_at,
    web_fields,
)
from tests.gtm.node_runner import WEB_TEMPLATE, fire
from tests.support.server import RunningGateway

SCENARIOS = load_scenarios()


@pytest.mark.e2e
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_pushes_become_the_expected_events(gtm_gateway: RunningGateway, scenario: Scenario) -> None:
    page = {"url": "https://shop.example.com/products/linen-shirt", "title": "Linen shirt",
            "referrer": "https://www.google.com/"}
    firings = fire(WEB_TEMPLATE, {"data": web_fields(gtm_gateway, scenario.write_key), "pushes": scenario.pushes,
                                  "page": page})

    assert [f["outcome"] for f in firings] == ["success"] * len(scenario.pushes), firing_summary(firings)
    assert not any(f["violations"] or f["errors"] for f in firings), firing_summary(firings)
    events = stored_events(gtm_gateway, scenario.source_id)
    assert [event["name"] for event in events] == scenario.expect_names, firing_summary(firings)
    assert rejections(gtm_gateway, scenario.source_id) == []
    for path, expected in scenario.expect.items():
        assert value_at(events[0], path) == expected, (path, events[0])
    # Every stored event knows its page and the visitor's anonymous id, the same one for the whole page.
    assert len({event["user"]["anonymousId"] for event in events}) == 1
    assert all(event["page"]["url"].startswith("https://shop.example.com/") for event in events)
    assert all(event["context"]["library"]["name"] == "tagway-gtm-web" for event in events)


@pytest.mark.e2e
def test_e_commerce_never_rides_along_with_a_later_event(gtm_gateway: RunningGateway) -> None:
    [scenario] = [s for s in SCENARIOS if s.name == "ga4_stale_ecommerce_without_reset"]
    source_id, write_key = STALE_SOURCE
    firings = fire(WEB_TEMPLATE, {"data": web_fields(gtm_gateway, write_key), "pushes": scenario.pushes})
    assert [f["outcome"] for f in firings] == ["success", "success"], firing_summary(firings)

    add_to_cart, sign_up = stored_events(gtm_gateway, source_id)
    assert add_to_cart["commerce"]["items"][0]["id"] == "SKU_12345"
    assert "commerce" not in sign_up
    assert sign_up["properties"] == {"method": "Google"}

