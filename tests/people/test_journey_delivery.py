"""`include_journey`: the UserChatOpen a destination gets carries the pages before the chat."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.testing import Clock
from app.delivery.worker import DeliveryWorker
from tests.people.support import Shop, people_config
from tests.support.gateway import build_app
from tests.support.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def test_a_chat_is_delivered_with_the_journey_before_it(database_url: str, tmp_path: Path,
                                                        receiver: Receiver) -> None:
    config = people_config(database_url)
    config["destinations"] = [
        {"id": "crm", "type": "webhook", "url": receiver.url + "/crm", "include_journey": True,
         "events": ["UserChatOpen"]},
        {"id": "plain", "type": "webhook", "url": receiver.url + "/plain", "events": ["UserChatOpen"]},
        {"id": "channel", "type": "channel", "base_url": receiver.url, "access_key": "key-0123456789abcdef",
         "access_secret": "secret-0123456789abcdef", "include_journey": True, "events": ["UserChatOpen"]},
    ]
    clock = Clock()
    site = Shop(build_app(config, clock), clock)
    site.browse("anon-5", "https://shop.example.com/?utm_source=kakao&utm_medium=social",
                referrer="https://talk.example.com/")
    clock.advance(seconds=30)
    site.browse("anon-5", "https://shop.example.com/products/wool-coat", member_id="m-5")
    clock.advance(seconds=12)
    site.browse("anon-5", "https://shop.example.com/products/wool-coat", event="chat_open", member_id="m-5")
    worker = DeliveryWorker(site.gateway.worker_parts(), rng=random.Random(1))

    worker.run_once()  # the chat is not projected yet: the journey destinations wait, the plain one does not
    assert [r.path for r in receiver.received] == ["/plain"]
    assert "journey" not in receiver.received[0].events()[0]
    clock.advance(seconds=2)
    worker.run_once()

    [crm] = [r for r in receiver.received if r.path == "/crm"]
    [chat] = crm.events()
    assert chat["name"] == "UserChatOpen"
    journey = chat["journey"]
    assert journey["page"] == "https://shop.example.com/products/wool-coat"
    assert [(p["url"], p["secondsOnPage"]) for p in journey["pages"]] == [
        ("https://shop.example.com/?utm_source=kakao&utm_medium=social", 30.0),
        ("https://shop.example.com/products/wool-coat", 12.0)]
    assert journey["referrer"] == "https://talk.example.com/"
    assert journey["campaign"] == {"source": "kakao", "medium": "social"}

    [channel_event] = [r for r in receiver.received if r.path.endswith("/events")]
    property_ = channel_event.json()["property"]
    assert property_["chatPage"] == "https://shop.example.com/products/wool-coat"
    assert property_["utmSource"] == "kakao" and property_["referrer"] == "https://talk.example.com/"
    assert property_["pagesBeforeChat"] == [{"url": "https://shop.example.com/products/wool-coat", "seconds": 12.0},
                                            {"url": "https://shop.example.com/?utm_source=kakao&utm_medium=social",
                                             "seconds": 30.0}], "the newest page first"
    assert sum(r.path == "/plain" for r in receiver.received) == 1, "delivered once"
