"""The collect protocol v1: how the GTM templates send a dataLayer event to `/v1/collect`.

GET  /v1/collect?k=<write key>&v=1&d=<base64 of the JSON payload>    (sendPixel, answered with a GIF)
POST /v1/collect?k=<write key>   body: the JSON payload, or {"batch": [payload, ...]}

A payload too long for one URL is sent in chunks of its base64 text: `&i=<payload id>&c=<index>&n=<count>`;
the gateway keeps the chunks and ingests the payload once all have arrived. The payload:

    {"v": 1, "id": "<client event id>", "event": "<dataLayer event>", "name": "<fixed event name>",
     "data": {<the dataLayer push>} | {"gtag": ["event", "<name>", {params}]},
     "page": {"url", "title", "referrer"}, "user": {"anonymousId", "memberId", "email", "phone"},
     "properties": {...}, "occurredAt": <ms since epoch>, "sentAt": <ms since epoch>,
     "consent": {...}, "library": {"name", "version"}}
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from adapters.base import InboundRequest, PayloadInvalid
from adapters.jsonbody import parse_json

PROTOCOL_VERSION = 1
PAYLOAD_KEYS = frozenset({"v", "id", "event", "name", "data", "page", "user", "properties", "occurredAt", "sentAt",
                          "consent", "library"})
MAX_ID_LENGTH = 100


def decode_data_parameter(text: str, max_depth: int) -> Any:
    """The JSON payload in a `d` query parameter: base64 (standard or URL-safe, padding optional)."""
    compact = text.strip().replace(" ", "+")  # a '+' that went through form decoding came back as a space
    try:
        raw = base64.b64decode(compact.replace("-", "+").replace("_", "/") + "=" * (-len(compact) % 4),
                               validate=True)
    except (binascii.Error, ValueError):
        raise PayloadInvalid("d", text, "base64 of the UTF-8 JSON payload (collect protocol v1)") from None
    return parse_json(raw, max_depth=max_depth, field="d")


def payloads_of(request: InboundRequest) -> list[dict[str, Any]]:
    """The payloads a collect request carries: one from a GET's `d`, one or a batch from a POST body."""
    if request.method == "GET":
        data = request.arg("d")
        if not data:
            raise PayloadInvalid("d", None, "the payload: base64 of its UTF-8 JSON (collect protocol v1)")
        found: Any = decode_data_parameter(data, request.max_json_depth)
    else:
        found = request.json()
    if isinstance(found, dict) and "batch" in found:
        batch = found["batch"]
        if not isinstance(batch, list) or not batch:
            raise PayloadInvalid("batch", batch, "a list of 1 or more collect payloads")
        return [checked_payload(item, f"batch[{index}]") for index, item in enumerate(batch)]
    return [checked_payload(found, "payload")]


def checked_payload(payload: Any, field: str) -> dict[str, Any]:
    """A payload whose envelope is right; what it says is checked when it is mapped."""
    if not isinstance(payload, dict):
        raise PayloadInvalid(field, payload, "a collect payload: a JSON object with v, id and event")
    unknown = sorted(set(payload) - PAYLOAD_KEYS)
    if unknown:
        raise PayloadInvalid(f"{field}.{unknown[0]}", payload[unknown[0]],
                             "no such key in a collect payload; allowed: " + ", ".join(sorted(PAYLOAD_KEYS)))
    if payload.get("v", PROTOCOL_VERSION) != PROTOCOL_VERSION:
        raise PayloadInvalid(f"{field}.v", payload.get("v"), f"protocol version {PROTOCOL_VERSION}")
    event_id = payload.get("id")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_ID_LENGTH:
        raise PayloadInvalid(f"{field}.id", event_id,
                             f"a client-generated event id of 1 to {MAX_ID_LENGTH} characters (a retry sends the same)")
    for key in ("data", "page", "user", "properties", "consent", "library"):
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            raise PayloadInvalid(f"{field}.{key}", payload[key], "an object")
    for key in ("event", "name"):
        if payload.get(key) is not None and not isinstance(payload[key], str):
            raise PayloadInvalid(f"{field}.{key}", payload[key], "a string")
    return payload
