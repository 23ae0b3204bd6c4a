"""tagway.js against a gateway that says "later" (429 with Retry-After) or "never" (401): retried, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.sdk.conftest import QUEUE, SITE, Site, page_html, settle, stored, wait_for
from tests.support.gateway import ADMIN, base_config
from tests.support.server import RunningGateway, serving, write_config

pytestmark = pytest.mark.e2e

LIMITED_KEY = "wk_limited_0123456789abcdefg"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """One worker (its rate limiter is the only one) and a source allowed one request every three seconds."""
    directory = tmp_path_factory.mktemp("sdk-retries")
    config = base_config(directory / "sdk.db")
    config["sources"].append({"id": "site", "adapter": "web", "write_key": LIMITED_KEY, "allowed_origins": [SITE],
                              "rate_limit": "1 per 3 seconds"})
    with serving(write_config(directory / "tagway.toml", config), directory / "gateway.log", workers=1) as running:
        yield running


def statuses(site: Site) -> list[int]:
    return [response.status for response in site.answers]


def test_a_rate_limited_batch_is_sent_again_after_retry_after_and_stored_once(site: Site) -> None:
    tab = site.open("/limited", page_html(site.gateway.url, LIMITED_KEY, boot={
        "trackPageView": False, "flushInterval": 50}))
    tab.evaluate("tagway('track', 'FirstClick')")
    wait_for(lambda: stored(site.gateway, "site", "/limited"), lambda found: len(found) >= 1)
    tab.evaluate("tagway('track', 'SecondClick')")  # within the three seconds: 429, Retry-After
    events = wait_for(lambda: stored(site.gateway, "site", "/limited"), lambda found: len(found) >= 2)
    tab.wait_for_function(f"!{QUEUE}.length")
    assert [e["name"] for e in events] == ["FirstClick", "SecondClick"]
    assert statuses(site)[:2] == [200, 429] and statuses(site)[-1] == 200
    assert site.answers[1].headers["retry-after"], "the gateway said when"


def test_a_refused_write_key_is_not_sent_again(site: Site) -> None:
    tab = site.open("/refused", page_html(site.gateway.url, "wk_revoked_0123456789abcdefg", boot={
        "flushInterval": 50}, after="tagway('track', 'Lost')"))
    tab.wait_for_function(f"!{QUEUE}.length")  # answered: given up
    settle()
    tab.evaluate("0")  # let the page's answers reach the test
    assert statuses(site) == [401], "a 4xx other than 408 and 429 would be refused again: it is not retried"
    kept = requests.get(f"{site.gateway.url}/v1/rejections", params={"reason": "auth"}, headers=ADMIN,
                        timeout=10).json()["items"]
    assert kept, "the gateway kept the refused batch (for replay once the key is fixed)"
