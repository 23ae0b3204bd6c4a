"""Fixture cases of the adapter contract suite: one real provider request and its expected outcome each.

A case file (`tests/adapters/<adapter>/cases/<name>.json`):

    {
      "description": "what this case shows",
      "origin": "where the payload comes from (a conformance sample, a docs example, ...)",
      "now": "2026-11-24T12:00:00.000Z",           # optional: the frozen arrival time
      "source": {"settings": {...}},               # the adapter's settings for the source
      "request": {"route": "webhook" | "collect", "method": "POST", "headers": {...}, "query": {...},
                  "body": "<raw text>" | <JSON value>, "body_file": "<path relative to the case>"},
      "expect": {"status": 200, "events": [<canonical events exactly>], "reply": {"status": 200, "body": "..."}}
                | {"status": 401, "rejection": {"reason": "signature", "fields": ["..."]}}
    }

A JSON `body` is sent as compact JSON (`separators=(",", ":")`, UTF-8); a string is sent as is.
The route is the webhook URL of the case's source (default) or `/v1/collect`, authenticated by the
source's write key (`k=` is added to the query; `"write_key": false` in the request leaves it out,
`"write_key": "<other>"` sends another).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.base import Headers, InboundRequest, Source
from adapters.times import parse_time
from tests.support.gateway import FROZEN_NOW

ADAPTER_TESTS = Path(__file__).resolve().parent.parent / "adapters"
DEFAULT_USER_AGENT = "tagway-contract-tests/1.0"
REMOTE_ADDR = "127.0.0.1"
CASE_SOURCE_ID = "case-source"
CASE_WRITE_KEY = "wk_contract_case_0123456789"


@dataclass(frozen=True)
class Case:
    """One fixture case."""

    adapter: str
    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.adapter}/{self.path.stem}"

    @property
    def now(self):  # type: ignore[no-untyped-def]
        return parse_time(self.data["now"]) if "now" in self.data else FROZEN_NOW

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.data.get("source", {}).get("settings", {}))

    @property
    def expect(self) -> dict[str, Any]:
        return dict(self.data["expect"])

    @property
    def succeeds(self) -> bool:
        return 200 <= int(self.expect["status"]) < 300

    @property
    def body(self) -> bytes:
        request = self.data["request"]
        if "body_file" in request:
            return (self.path.parent / request["body_file"]).read_bytes()
        body = request.get("body", "")
        if isinstance(body, str):
            return body.encode("utf-8")
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    @property
    def headers(self) -> dict[str, str]:
        headers = {str(k): str(v) for k, v in self.data["request"].get("headers", {}).items()}
        if not any(k.lower() == "user-agent" for k in headers):
            headers["User-Agent"] = DEFAULT_USER_AGENT
        return headers

    @property
    def query(self) -> dict[str, list[str]]:
        query = self.data["request"].get("query", {})
        return {k: v if isinstance(v, list) else [str(v)] for k, v in query.items()}

    @property
    def method(self) -> str:
        return str(self.data["request"].get("method", "POST"))

    @property
    def route(self) -> str:
        return str(self.data["request"].get("route", "webhook"))

    @property
    def url_path(self) -> str:
        return "/v1/collect" if self.route == "collect" else f"/v1/webhooks/{CASE_SOURCE_ID}"

    def http_query(self) -> dict[str, list[str]]:
        """The query sent over HTTP: a collect request carries the write key."""
        key = self.data["request"].get("write_key", CASE_WRITE_KEY)
        return {**self.query, "k": [key]} if self.route == "collect" and key else self.query

    def source(self) -> Source:
        return Source(id=CASE_SOURCE_ID, adapter=self.adapter, settings=self.loaded_settings())

    def loaded_settings(self) -> dict[str, Any]:
        """The settings as the configuration loader would validate them."""
        from app.registry import discover_adapters

        schema = discover_adapters()[self.adapter].settings_schema
        return dict(schema().load(self.settings)) if schema else {}

    def inbound(self, body: bytes | None = None, headers: dict[str, str] | None = None) -> InboundRequest:
        return InboundRequest(
            method=self.method, path=self.url_path, headers=Headers(headers or self.headers),
            body=self.body if body is None else body, query=self.query, received_at=self.now,
            remote_addr=REMOTE_ADDR)

    def source_entry(self) -> dict[str, Any]:
        """The [[sources]] entry of this case for a test configuration."""
        entry = {"id": CASE_SOURCE_ID, "adapter": self.adapter, **self.settings}
        return {**entry, "write_key": CASE_WRITE_KEY} if self.route == "collect" else entry


def cases_of(adapter: str) -> list[Case]:
    """Every case of an adapter, sorted by file name."""
    folder = ADAPTER_TESTS / adapter / "cases"
    return [Case(adapter, path, json.loads(path.read_text(encoding="utf-8")))
            for path in sorted(folder.glob("*.json"))]


def case_folders() -> list[str]:
    """Names of the adapter folders that hold cases."""
    return sorted(p.parent.name for p in ADAPTER_TESTS.glob("*/cases") if p.is_dir())
