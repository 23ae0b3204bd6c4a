"""tagway.js's persisted queue is the site's, not a tab's: two tabs adding at the same instant lose nothing."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest

from tests.sdk.conftest import QUEUE, SITE, SITE_KEY, Site, page_html, settle, stored, wait_for

pytestmark = pytest.mark.e2e

EVENTS_PER_TAB = 40  # two tabs' worth stays under the queue's caps (100 events, 64,000 characters)

# Each tab tracks its events from the same instant on, in bursts between timers: the tabs' writes to the shared
# localStorage interleave, as when a visitor's two tabs of the shop both react to one change.
BURST = """([at, tab, count]) => {
    let n = 0;
    const burst = () => {
        for (let i = 0; i < 3 && n < count; i++) tagway('track', 'Burst', {tab, n: n++});
        if (n < count) setTimeout(burst, 1); else window.tracked = n;
    };
    setTimeout(burst, at - Date.now());
}"""


@pytest.mark.parametrize("offline", [True, False], ids=["offline then online", "online"])
def test_two_tabs_tracking_at_the_same_time_lose_no_event(site: Site, offline: bool) -> None:
    # Offline, the tabs' additions race each other; online, also the removals of what the gateway acknowledged.
    path = f"/tabs/{'offline' if offline else 'online'}/"
    html = page_html(site.gateway.url, SITE_KEY, boot={"trackPageView": False, "flushInterval": 50})
    tabs = {name: site.open(path + name, html) for name in ("a", "b")}
    for tab in tabs.values():
        tab.wait_for_function("typeof tagway === 'function' && tagway.loaded")
    site.context.set_offline(offline)
    at = tabs["a"].evaluate("Date.now() + 500")
    for name, tab in tabs.items():  # started here, run from `at` on in both tabs at once
        tab.evaluate(BURST, [at, name, EVENTS_PER_TAB])
    for tab in tabs.values():
        tab.wait_for_function(f"window.tracked === {EVENTS_PER_TAB}")  # both have tracked all their events
    site.context.set_offline(False)
    expected = 2 * EVENTS_PER_TAB
    wait_for(lambda: stored(site.gateway, "site", path), lambda found: len(found) >= expected)
    settle()
    events = stored(site.gateway, "site", path)
    sent = Counter((e["properties"]["tab"], e["properties"]["n"]) for e in events)
    missing = [(name, n) for name in tabs for n in range(EVENTS_PER_TAB) if (name, n) not in sent]
    assert missing == [], f"{len(missing)} of {expected} events lost, e.g. {missing[:5]}"
    assert len(events) == expected and set(sent.values()) == {1}, "each event stored exactly once"
    assert len({e["id"] for e in events}) == expected
    for tab in tabs.values():
        tab.wait_for_function(f"!{QUEUE}.length")  # and nothing is left to send


def test_a_queue_left_by_an_earlier_build_as_one_list_is_sent_and_removed(site: Site) -> None:
    # Earlier builds kept the queue as one JSON list under tw_q; a visitor's browser may still hold one.
    left = {"id": str(uuid.uuid4()), "type": "track", "name": "LeftBehind", "page": {"url": f"{SITE}/earlier/page"}}
    item = f"{{...{json.dumps(left)}, occurredAt: Date.now() - 60000}}"
    site.context.add_init_script(
        f"if (location.pathname == '/earlier/next') localStorage.setItem('tw_q', JSON.stringify([{item}]))")
    tab = site.open("/earlier/next", page_html(site.gateway.url, SITE_KEY, boot={
        "trackPageView": False, "flushInterval": 50}))
    events = wait_for(lambda: stored(site.gateway, "site", "/earlier"), lambda found: len(found) >= 1)
    tab.wait_for_function(f"!{QUEUE}.length")
    assert [(e["id"], e["name"]) for e in events] == [(left["id"], "LeftBehind")]
    assert tab.evaluate("localStorage.getItem('tw_q')") is None, "the old list is gone once its events have keys"
