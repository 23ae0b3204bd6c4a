"""Fixture cases of the adapter contract suite, and what a test needs to run one through a real gateway.

A case is one real provider request and its expected outcome, in `<adapter name>/cases/<case>.json`:

    {
      "description": "what this case shows",
      "origin": "where the payload comes from (the provider's docs page, an official SDK's fixture, ...)",
      "now": "2026-11-24T12:00:00.000Z",           # optional: the frozen arrival time
      "source": {"settings": {...}},               # the adapter's settings for the source
      "request": {"route": "webhook" | "collect" | "/v1/<path>", "method": "POST", "headers": {...}, "query": {...},
                  "body": "<raw text>" | <JSON value>, "body_file": "<path relative to the case>"},
      "expect": {"status": 200, "events": [<canonical events exactly>], "reply": {"status": 200, "body": "..."}}
                | {"status": 401, "rejection": {"reason": "signature", "fields": ["..."]}}
    }

A JSON `body` is sent as compact JSON (`separators=(",", ":")`, UTF-8); a string is sent as is. The route is the
webhook URL of the case's source (default) or `/v1/collect`, authenticated by the source's write key (`k=` is added
to the query; `"write_key": false` in the request leaves it out, `"write_key": "<other>"` sends another), or a
path of the gateway such as `/v1/track` (Segment's tracking API), with the write key as the HTTP Basic user name.

How a test signs a mutated request for the platform is declared beside the cases, in `<adapter name>/signer.py`
exposing `signer`: a `Signer` that implements the platform's documented scheme itself (never the adapter's code).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from adapters.base import Adapter, Headers, InboundRequest, Source
from adapters.times import parse_time

FROZEN_NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
DEFAULT_USER_AGENT = "tagway-contract-tests/1.0"
REMOTE_ADDR = "127.0.0.1"
CASE_SOURCE_ID = "case-source"
CASE_WRITE_KEY = "wk_contract_case_0123456789"
CASE_ADMIN_TOKEN = "adm_contract_case_0123456789"  # noqa: S105  (a test token)


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


class Signer:
    """Signs a (mutated) request as the platform would; the default signs nothing (the body is not signed)."""

    source_settings: dict[str, Any] = {}
    """Settings the source needs to trust this signer (e.g. a test key pair's public key); read only."""

    def start(self, body: bytes) -> bytes:
        """The document the mutations change (the body itself, or what a signed envelope holds)."""
        return body

    def sign(self, body: bytes, headers: dict[str, str],
             settings: dict[str, Any]) -> tuple[bytes, dict[str, str]] | None:
        """The body and headers signed again with the source's settings (None: this body cannot be signed)."""
        return body, headers

    def unsigned(self, mutated: bytes, original: bytes) -> bytes:
        """What is sent for a mutation that is not signed again."""
        return mutated


@dataclass(frozen=True)
class Case:
    """One fixture case."""

    adapter: str
    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        """`<adapter>/<case file name>`."""
        return f"{self.adapter}/{self.path.stem}"

    @property
    def now(self) -> datetime:
        """The frozen arrival time."""
        return parse_time(self.data["now"]) if "now" in self.data else FROZEN_NOW

    @property
    def settings(self) -> dict[str, Any]:
        """The source's settings as the case writes them."""
        return dict(self.data.get("source", {}).get("settings", {}))

    @property
    def expect(self) -> dict[str, Any]:
        """The expected outcome."""
        return dict(self.data["expect"])

    @property
    def succeeds(self) -> bool:
        """Whether the gateway acknowledges the request (2xx)."""
        return 200 <= int(self.expect["status"]) < 300

    @property
    def body(self) -> bytes:
        """The request's body, as sent."""
        request = self.data["request"]
        if "body_file" in request:
            return (self.path.parent / request["body_file"]).read_bytes()
        body = request.get("body", "")
        if isinstance(body, str):
            return body.encode("utf-8")
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    @property
    def headers(self) -> dict[str, str]:
        """The request's headers (a User-Agent added when the case has none; to a path, the write key in Basic)."""
        headers = {str(k): str(v) for k, v in self.data["request"].get("headers", {}).items()}
        if not any(k.lower() == "user-agent" for k in headers):
            headers["User-Agent"] = DEFAULT_USER_AGENT
        key = self.data["request"].get("write_key", CASE_WRITE_KEY)
        if self.route.startswith("/") and key:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        return headers

    @property
    def query(self) -> dict[str, list[str]]:
        """The request's query parameters."""
        query = self.data["request"].get("query", {})
        return {k: v if isinstance(v, list) else [str(v)] for k, v in query.items()}

    @property
    def method(self) -> str:
        """The HTTP method."""
        return str(self.data["request"].get("method", "POST"))

    @property
    def route(self) -> str:
        """`webhook`, `collect`, or a path of the gateway (`/v1/track`)."""
        return str(self.data["request"].get("route", "webhook"))

    @property
    def takes_write_key(self) -> bool:
        """Whether the route authenticates by the source's write key (all but the webhook URL)."""
        return self.route != "webhook"

    @property
    def url_path(self) -> str:
        """The path the request is sent to."""
        if self.route.startswith("/"):
            return self.route
        return "/v1/collect" if self.route == "collect" else f"/v1/webhooks/{CASE_SOURCE_ID}"

    def http_query(self) -> dict[str, list[str]]:
        """The query sent over HTTP: a collect request carries the write key."""
        key = self.data["request"].get("write_key", CASE_WRITE_KEY)
        return {**self.query, "k": [key]} if self.route == "collect" and key else self.query

    def source(self, adapter: Adapter) -> Source:
        """The source as the adapter sees it, its settings validated by the adapter's schema."""
        schema = adapter.settings_schema
        settings = dict(schema().load(self.settings)) if schema else {}
        return Source(id=CASE_SOURCE_ID, adapter=self.adapter, settings=settings)

    def inbound(self, body: bytes | None = None, headers: dict[str, str] | None = None) -> InboundRequest:
        """The request as the adapter receives it."""
        return InboundRequest(
            method=self.method, path=self.url_path, headers=Headers(headers or self.headers),
            body=self.body if body is None else body, query=self.query, received_at=self.now,
            remote_addr=REMOTE_ADDR)

    def source_entry(self) -> dict[str, Any]:
        """The [[sources]] entry of this case for a gateway configuration."""
        entry = {"id": CASE_SOURCE_ID, "adapter": self.adapter, **self.settings}
        return {**entry, "write_key": CASE_WRITE_KEY} if self.takes_write_key else entry


def cases_in(folder: Path, adapter: str | None = None) -> list[Case]:
    """Every case of a `<adapter>/cases` folder, sorted by file name."""
    name = adapter or folder.parent.name
    return [Case(name, path, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.json"))]


@cache
def signer_beside(folder: Path) -> Signer | None:
    """The `signer` declared in `signer.py` beside a cases folder, or None."""
    path = folder.parent / "signer.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"tagway_case_signer_{folder.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    signer = getattr(module, "signer", None)
    if not isinstance(signer, Signer):
        raise TypeError(f"{path} must define `signer`, an instance of adapters.testing.Signer")
    return signer


def case_config(case: Case, database: Path, **source_settings: Any) -> dict[str, Any]:
    """A gateway configuration with the case's source alone, on a SQLite file."""
    return {
        "admin": {"token": CASE_ADMIN_TOKEN},
        "storage": {"url": f"sqlite:///{database}"},
        "server": {"public_url": "https://gateway.example.com"},
        "sources": [{**case.source_entry(), **source_settings}],
    }


def build_gateway_app(config: dict[str, Any], clock: Clock | None = None) -> Any:
    """A gateway app (Flask) on the configuration's database, migrated first."""
    from app import create_app  # local: the SDK's readers must not import the gateway
    from app.storage.migrations import upgrade

    upgrade(config["storage"]["url"])
    app = create_app(copy.deepcopy(config), clock=clock)
    app.config["TESTING"] = True
    return app


def b64_hmac(key: bytes, message: bytes) -> str:
    """Base64 of HMAC-SHA256, as most platforms sign."""
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


class HeaderSigner(Signer):
    """A platform that signs the raw body into one header: `make(body, settings)` is the header's value."""

    def __init__(self, header: str, make: Callable[[bytes, dict[str, Any]], str]) -> None:
        self.header = header
        self.make = make

    def sign(self, body: bytes, headers: dict[str, str],
             settings: dict[str, Any]) -> tuple[bytes, dict[str, str]] | None:
        """The header set to the body's signature."""
        kept = {k: v for k, v in headers.items() if k.lower() != self.header.lower()}
        return body, {**kept, self.header: self.make(body, settings)}


class StandardWebhooksSigner(Signer):
    """Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body` (standardwebhooks.com, "Verifying")."""

    def __init__(self, key: Callable[[dict[str, Any]], bytes | None]) -> None:
        self.key = key

    def sign(self, body: bytes, headers: dict[str, str],
             settings: dict[str, Any]) -> tuple[bytes, dict[str, str]] | None:
        """`webhook-signature` set to `v1,<signature>` of the request's id and timestamp."""
        key = self.key(settings)
        if key is None:
            return None
        lower = {k.lower(): k for k in headers}
        message_id = headers.get(lower.get("webhook-id", ""), "msg_1")
        timestamp = headers.get(lower.get("webhook-timestamp", ""), "0")
        signature = b64_hmac(key, f"{message_id}.{timestamp}.".encode() + body)
        return body, {**headers, lower.get("webhook-signature", "webhook-signature"): f"v1,{signature}"}
