"""A gateway with a browser (GTM), a server-API and a signed-webhook source, and ways to feed it like each would."""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import Any

import orjson
from flask import Flask

from adapters.testing import Clock
from adapters.web.member import member_hash
from app.delivery.worker import DeliveryWorker
from app.gateway import Gateway
from tests.adapters.canonical.signer import signer
from tests.support.gateway import ADMIN_TOKEN, OTHER_WRITE_KEY, SIGNING_SECRET, WRITE_KEY, build_app

BROWSER_KEY = "wk_test_browser_0123456789ab"
SDK_KEY = "wk_test_sdk_0123456789abcdef"
MEMBER_SECRET = "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5"  # hex, as Channel Talk's member secrets
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148"


def people_config(database_url: str, **people: Any) -> dict[str, Any]:
    """Sources of each kind on the given database."""
    return {
        "admin": {"token": ADMIN_TOKEN},
        "storage": {"url": database_url},
        "server": {"public_url": "https://gateway.example.com"},
        "sources": [
            {"id": "site", "adapter": "gtm", "write_key": BROWSER_KEY, "title": "Website (GTM)",
             "rename": {"chat_open": "UserChatOpen"}},
            {"id": "app", "adapter": "web", "write_key": SDK_KEY, "title": "Website (tagway.js)",
             "member_secret": MEMBER_SECRET, "require_member_hash": True},
            {"id": "server", "adapter": "canonical", "write_key": WRITE_KEY, "title": "Backend API"},
            {"id": "shop", "adapter": "canonical", "write_key": OTHER_WRITE_KEY, "secret": SIGNING_SECRET},
        ],
        "people": people,
    }


class Shop:
    """Sends what a shop's visitors and systems send, through the real routes."""

    def __init__(self, app: Flask, clock: Clock) -> None:
        self.app = app
        self.client = app.test_client()
        self.clock = clock
        self._ids = 0

    @property
    def gateway(self) -> Gateway:
        gateway = self.app.extensions["tagway"]
        assert isinstance(gateway, Gateway)
        return gateway

    def _next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}-{self._ids}"

    def browse(self, anonymous_id: str, url: str, event: str = "gtm.js", member_id: str | None = None,
               referrer: str | None = None, title: str | None = None) -> None:
        """A GTM web tag push from the browser (POST /v1/collect), a PageView unless `event` says otherwise."""
        user: dict[str, Any] = {"anonymousId": anonymous_id}
        if member_id is not None:
            user["memberId"] = member_id  # what the page put in the dataLayer: nothing vouches for it
        page: dict[str, Any] = {"url": url, "title": title or url.rsplit("/", 1)[-1] or "home"}
        if referrer:
            page["referrer"] = referrer
        payload = {"v": 1, "id": self._next_id("push"), "event": event, "data": {"event": event}, "page": page,
                   "user": user}
        answer = self.client.post(f"/v1/collect?k={BROWSER_KEY}", data=orjson.dumps({"batch": [payload]}),
                                  headers={"Content-Type": "text/plain", "User-Agent": USER_AGENT})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["stored"] == 1, answer.get_json()

    def verified_login(self, anonymous_id: str, member_id: str, url: str, hash_secret: str = MEMBER_SECRET) -> None:
        """A Login from tagway.js (POST /v1/collect) whose member id carries the member hash the site's server made.

        With another `hash_secret` the hash is forged: the event is stored without the member id.
        """
        item = {"id": self._next_id("login"), "type": "track", "name": "Login",
                "occurredAt": int(self.clock().timestamp() * 1000), "anonymousId": anonymous_id,
                "memberId": member_id, "memberHash": member_hash(member_id, hash_secret),
                "page": {"url": url, "title": "Login"}}
        body = {"v": 1, "sentAt": item["occurredAt"], "library": {"name": "tagway.js", "version": "1.0.0"},
                "batch": [item]}
        answer = self.client.post(f"/v1/collect?k={SDK_KEY}", data=orjson.dumps(body),
                                  headers={"Content-Type": "text/plain", "User-Agent": USER_AGENT})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["stored"] == 1, answer.get_json()

    def server_event(self, event: dict[str, Any]) -> None:
        """POST /v1/events with the server source's write key."""
        answer = self.client.post("/v1/events", json={"id": self._next_id("api"), **event},
                                  headers={"Authorization": f"Bearer {WRITE_KEY}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)

    def webhook(self, event: dict[str, Any]) -> None:
        """A canonical event POSTed to the shop source's webhook URL, signed per Standard Webhooks."""
        body = orjson.dumps({"id": self._next_id("hook"), **event})
        headers = {"Content-Type": "application/json", "webhook-id": self._next_id("msg"),
                   "webhook-timestamp": str(int(self.clock().timestamp()))}
        signed = signer.sign(body, headers, {"secret": SIGNING_SECRET})
        assert signed is not None
        answer = self.client.post("/v1/webhooks/shop", data=signed[0], headers=signed[1])
        assert answer.status_code == 200, answer.get_data(as_text=True)

    def project(self) -> int:
        """Run the worker's projections until every stored event is applied."""
        return DeliveryWorker(self.gateway.worker_parts(), rng=random.Random(1)).project_all()

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the people tables, sorted (to compare two databases)."""
        with self.gateway.storage.transaction() as connection:
            return {table: sorted(tuple(row) for row in connection.execute(f"SELECT * FROM {table}").fetchall())
                    for table in ("people", "person_ids", "person_events", "sessions", "identity_conflicts")}


def shop(database_url: str, tmp_path: Path, clock: Clock | None = None, **people: Any) -> Shop:
    """A fresh shop gateway on the database."""
    clock = clock or Clock()
    return Shop(build_app(people_config(database_url, **people), clock), clock)


def encode(value: Any) -> str:
    """base64url JSON, as a pixel's d= parameter."""
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")
