"""Mixed customer traffic for the people projection: browsing, verified logins, chats and webhook purchases.

Deterministic for a seed, so that a test and a benchmark can build the same backlog twice.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from adapters.times import format_time
from app.storage.base import SqlStorage
from app.storage.records import EventRecord

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PAGES = ("/", "/products/linen-shirt", "/products/wool-coat", "/collections/summer", "/cart", "/faq")
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"


def traffic(count: int, visitors: int, seed: int = 7, start: datetime = START,
            visit_length: tuple[int, int] = (3, 12)) -> Iterator[dict[str, Any]]:
    """`count` canonical events of `visitors` browsers in visits of a few events, in time order, over a week."""
    rng = random.Random(seed)
    moment = start
    step = timedelta(seconds=max(86_400 * 7 / max(count, 1), 0.001))
    active: list[list[int]] = []  # [visitor, events left in the visit]
    for index in range(count):
        moment += step * rng.uniform(0.5, 1.5)
        if len(active) < 50 or rng.random() < 0.1:
            active.append([rng.randrange(visitors), rng.randint(*visit_length)])
        current = active[rng.randrange(len(active))]
        current[1] -= 1
        if current[1] <= 0:
            active.remove(current)
        yield _event(index, current[0], format_time(moment), rng, seed)


def _event(index: int, visitor: int, at: str, rng: random.Random, seed: int) -> dict[str, Any]:
    anonymous = f"anon-{visitor}"
    member = f"member-{visitor}" if visitor % 3 == 0 else None
    roll = rng.random()
    url = "https://shop.example.com" + rng.choice(PAGES)
    page = {"url": url, "canonicalUrl": url, "path": url.removeprefix("https://shop.example.com"),
            "title": url.rsplit("/", 1)[-1] or "home", "referrer": "https://www.google.com/"}
    event: dict[str, Any] = {"id": f"e{seed}-{index}", "occurredAt": at, "receivedAt": at,
                             "source": {"id": "site", "adapter": "gtm"}, "user": {"anonymousId": anonymous},
                             "page": page, "context": {"userAgent": UA}}
    if roll < 0.80:
        event["name"] = "PageView"
        if index % 50 == 0:
            event["context"]["campaign"] = {"source": "newsletter", "medium": "email"}
    elif roll < 0.88 and member is not None:
        event["name"] = "Login"
        event["user"] = {"anonymousId": anonymous, "memberId": member, "memberVerified": True}
    elif roll < 0.94:
        event["name"] = "UserChatOpen"
    else:
        user = {"memberId": member} if member else {"anonymousId": anonymous}
        event = {"id": f"e{seed}-{index}", "name": "Purchase", "occurredAt": at, "receivedAt": at,
                 "source": {"id": "shop", "adapter": "canonical"},
                 "user": {**user, "email": f"buyer{visitor}@example.com"},
                 "commerce": {"currency": "KRW", "value": 39000, "orderId": str(index),
                              "items": [{"id": "sku-1", "name": "Linen shirt", "price": 39000, "quantity": 1}]}}
    return event


def store_traffic(storage: SqlStorage, events: Iterator[dict[str, Any]], batch: int = 500) -> int:
    """Store events as ingestion does (no raw input kept, no destinations); how many."""
    stored, pending = 0, []
    for event in events:
        pending.append(EventRecord(event, orjson.dumps(event)))
        if len(pending) == batch:
            stored += len(storage.store(None, pending).stored)
            pending = []
    if pending:
        stored += len(storage.store(None, pending).stored)
    return stored
