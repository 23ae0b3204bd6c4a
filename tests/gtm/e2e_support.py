"""End-to-end helpers: the dataLayer conformance scenarios, GTM sources for them, what the gateway stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.support.gateway import ADMIN
from tests.support.server import RunningGateway

SCENARIOS_DIR = Path(__file__).resolve().parent / "conformance"


@dataclass(frozen=True)
class Scenario:
    """One conformance scenario: pushes in, canonical event names (and some fields) out."""

    name: str
    pushes: list[Any]
    expect_names: list[str]
    expect: dict[str, Any] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)

    @property
    def source_id(self) -> str:
        return self.name.lower().replace("_", "-")[:60]

    @property
    def write_key(self) -> str:
        return f"wk_gtm_{self.source_id}_0123456789abcdef"


def load_scenarios() -> list[Scenario]:
    """Every scenario file, by name."""
    scenarios = []
    for path in sorted(SCENARIOS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        scenarios.append(Scenario(path.stem, data["pushes"], data["expect_names"], data.get("expect", {}),
                                  data.get("source_rename", {})))
    return scenarios


def gtm_source(source_id: str, write_key: str, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """A GTM source as the README sets one up; USD for pushes that name no currency (the UA scenario)."""
    return {"id": source_id, "adapter": "gtm", "write_key": write_key, "rename": rename or {},
            "default_currency": "USD"}


def web_fields(gateway: RunningGateway, write_key: str, **fields: Any) -> dict[str, Any]:
    """The web tag's fields as a user fills them in: the gateway URL and the write key."""
    return {"gatewayUrl": gateway.url, "writeKey": write_key, "consentType": "analytics_storage",
            "dataLayerName": "dataLayer", **fields}


def stored_events(gateway: RunningGateway, source_id: str) -> list[dict[str, Any]]:
    """The source's stored events, oldest first, as the admin API lists them."""
    query: dict[str, str | int] = {"source": source_id, "limit": 200}
    response = requests.get(f"{gateway.url}/v1/events", params=query,
                            headers=ADMIN, timeout=10)
    response.raise_for_status()
    return [item["event"] for item in reversed(response.json()["items"])]


def rejections(gateway: RunningGateway, source_id: str) -> list[dict[str, Any]]:
    """The source's kept rejections, as the admin API lists them."""
    query: dict[str, str | int] = {"source": source_id, "limit": 200}
    response = requests.get(f"{gateway.url}/v1/rejections", params=query,
                            headers=ADMIN, timeout=10)
    response.raise_for_status()
    return list(response.json()["items"])


def value_at(event: dict[str, Any], path: str) -> Any:
    """A dotted path into an event; a last part `length` is the length of the list before it."""
    value: Any = event
    for part in path.split("."):
        if part == "length" and isinstance(value, list):
            return len(value)
        value = value.get(part) if isinstance(value, dict) else None
    return value


def firing_summary(firings: list[dict[str, Any]]) -> str:
    """The runner's report of each firing, for an assertion message."""
    return json.dumps([{key: firing.get(key) for key in ("index", "event", "outcome", "requests", "violations",
                                                         "errors", "logs")} for firing in firings], indent=1)
