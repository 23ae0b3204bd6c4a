"""The wire format of tagway.js: what the browser SDK POSTs to `/v1/collect`.

POST /v1/collect?k=<write key>   Content-Type: text/plain (no CORS preflight)

    {"v": 1, "sentAt": <ms since epoch>, "library": {"name": "tagway.js", "version": "1.0.0"},
     "batch": [{"id": "<client UUID>", "type": "track" | "page" | "identify", "name": "<event name>",
                "properties": {...}, "occurredAt": <ms>, "anonymousId": "...", "memberId": "...",
                "memberHash": "<hex HMAC-SHA256>", "traits": {...}, "page": {"url", "title", "referrer"},
                "locale": "ko-KR", "webdriver": true}, ...]}
"""

from __future__ import annotations

from typing import Any

from adapters.sdk import InboundRequest, PayloadInvalid, format_time, from_epoch_millis, items_of, obj

PROTOCOL_VERSION = 1
ENVELOPE_KEYS = frozenset({"v", "sentAt", "library", "batch"})
ITEM_KEYS = frozenset({"id", "type", "name", "properties", "occurredAt", "anonymousId", "memberId", "memberHash",
                       "traits", "page", "locale", "webdriver"})
TYPES = ("track", "page", "identify")
MAX_ID_LENGTH = 100


def envelope_of(request: InboundRequest) -> dict[str, Any]:
    """The batch envelope, its version and keys checked; the items are read one by one."""
    body = obj(request.json(), "body")
    unknown = sorted(set(body) - ENVELOPE_KEYS)
    if unknown:
        raise PayloadInvalid(unknown[0], body[unknown[0]],
                             "no such key in a tagway.js batch; allowed: " + ", ".join(sorted(ENVELOPE_KEYS)))
    if body.get("v") != PROTOCOL_VERSION:
        raise PayloadInvalid("v", body.get("v"), f"the tagway.js protocol version, {PROTOCOL_VERSION}")
    if not items_of(body.get("batch"), "batch", "a list of 1 or more events"):
        raise PayloadInvalid("batch", body.get("batch"), "a list of 1 or more events")
    return body


def millis(value: Any, field: str) -> str:
    """A browser time in milliseconds since the epoch (Date.now()), as an RFC 3339 time."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadInvalid(field, value, "milliseconds since the Unix epoch (Date.now())")
    try:
        return format_time(from_epoch_millis(value))
    except (OverflowError, OSError, ValueError):
        raise PayloadInvalid(field, value, "milliseconds since the Unix epoch (a 13-digit number today)") from None


def checked_item(item: Any, field: str) -> dict[str, Any]:
    """One event of the batch whose shape is right; its values are checked by the canonical schema."""
    item = obj(item, field)
    unknown = sorted(set(item) - ITEM_KEYS)
    if unknown:
        raise PayloadInvalid(f"{field}.{unknown[0]}", item[unknown[0]],
                             "no such key in a tagway.js event; allowed: " + ", ".join(sorted(ITEM_KEYS)))
    event_id = item.get("id")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_ID_LENGTH:
        raise PayloadInvalid(f"{field}.id", event_id,
                             f"the client's event id (a UUID) of 1 to {MAX_ID_LENGTH} characters")
    if item.get("type") not in TYPES:
        raise PayloadInvalid(f"{field}.type", item.get("type"), "one of " + ", ".join(TYPES))
    for key in ("properties", "traits", "page"):
        if item.get(key) is not None:
            obj(item[key], f"{field}.{key}")
    for key in ("name", "anonymousId", "memberId", "memberHash", "locale"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise PayloadInvalid(f"{field}.{key}", item[key], "a string")
    return item
