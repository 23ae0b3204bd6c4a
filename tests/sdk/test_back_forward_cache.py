"""A page restored from the back/forward cache is a page view again (the page's scripts did not run again)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sdk.conftest import CHROMIUM_ARGS, QUEUE, SITE, SITE_KEY, Site, page_html, stored, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Iterator[Any]:
    """Chromium with its back/forward cache (Playwright turns it off by default)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True,
                                              ignore_default_args=["--disable-back-forward-cache"])
        yield launched
        launched.close()


def test_a_page_restored_from_the_back_forward_cache_sends_one_page_view(site: Site) -> None:
    tab = site.open("/bfcache", page_html(site.gateway.url, SITE_KEY, boot={"flushInterval": 50}))
    wait_for(lambda: stored(site.gateway, "site", "/bfcache"), lambda found: len(found) >= 1)
    tab.wait_for_function(f"!{QUEUE}.length")
    site.context.route(f"{SITE}/elsewhere", lambda route: route.fulfill(body="<title>B</title>elsewhere",
                                                                          content_type="text/html"))
    tab.evaluate("window.before = 'left'")
    tab.goto(f"{SITE}/elsewhere")
    tab.go_back(wait_until="commit")  # restored: no load event, the page's state as it was
    tab.wait_for_function("document.readyState === 'complete'")
    # The same page, not a new load (whose snippet would send its own page view): restored from the cache.
    assert tab.evaluate("window.before") == "left"
    events = wait_for(lambda: stored(site.gateway, "site", "/bfcache"), lambda found: len(found) >= 2)
    assert [(e["name"], e["page"]["path"]) for e in events] == [("PageView", "/bfcache"), ("PageView", "/bfcache")]
    assert events[0]["id"] != events[1]["id"]
