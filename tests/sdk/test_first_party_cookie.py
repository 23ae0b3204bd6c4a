"""A gateway under the site's own domain: the browser sends the id cookie, the answer sets it again over HTTP.

Chromium resolves *.shop.test to this machine, so that the page (www.shop.test) and the gateway
(events.shop.test) are two hosts of one site, as www.shop.com and events.shop.com are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sdk.conftest import CHROMIUM_ARGS, QUEUE, WAIT_S, page_html, stored, wait_for
from tests.support.gateway import base_config
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e

SHOP_KEY = "wk_first_party_0123456789abc"
PAGE = "http://www.shop.test"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("sdk-cookie")
    config = base_config(directory / "sdk.db")
    config["sources"].append({"id": "shop", "adapter": "web", "write_key": SHOP_KEY, "allowed_origins": [PAGE],
                              "cookie_domain": "shop.test"})
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=1) as running:
        yield running


@pytest.fixture
def tab(chromium: Any, gateway: RunningGateway) -> Iterator[Any]:
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.shop.test 127.0.0.1"])
        context = browser.new_context()
        context.set_default_timeout(WAIT_S * 1000)
        html = page_html(f"http://events.shop.test:{gateway.port}", SHOP_KEY, boot={"cookieDomain": "shop.test"},
                         after="tagway('track', 'UserChatOpen')")
        context.route(f"{PAGE}/**", lambda route: route.fulfill(body=html, content_type="text/html"))
        page = context.new_page()
        yield page
        browser.close()


def test_the_collect_answer_sets_the_id_cookie_of_the_site_again(tab: Any, gateway: RunningGateway) -> None:
    with tab.expect_response(lambda r: "/v1/collect" in r.url) as answered:
        tab.goto(f"{PAGE}/cookie")
    answer = answered.value
    anonymous_id = tab.evaluate("localStorage.getItem('tw_aid')")
    sent = answer.request.all_headers().get("cookie", "")
    assert f"tw_aid={anonymous_id}" in sent, "the SDK sends the site's id cookie to its gateway"
    set_again = answer.all_headers()["set-cookie"]
    assert set_again.startswith(f"tw_aid={anonymous_id}; Domain=shop.test;") and "Max-Age=31536000" in set_again
    # The answer was readable with credentials (Access-Control-Allow-Credentials): the SDK saw it and let go.
    tab.wait_for_function(f"!{QUEUE}.length")
    cookie = next(c for c in tab.context.cookies() if c["name"] == "tw_aid")
    assert (cookie["domain"], cookie["value"]) == (".shop.test", anonymous_id)
    events = wait_for(lambda: stored(gateway, "shop", "/cookie", PAGE), lambda found: len(found) >= 2)
    assert {e["user"]["anonymousId"] for e in events} == {anonymous_id}
