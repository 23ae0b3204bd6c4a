"""One Segment message (track, page, screen, identify, group, alias) as a canonical event."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import orjson

from adapters.sdk import (
    MAX_SOURCE_TEXT,
    Event,
    PayloadInvalid,
    compact,
    derive_event_id,
    email,
    fit_properties,
    format_time,
    ident,
    in_canonical_form,
    obj,
    obj_or_empty,
    opt_obj,
    opt_rfc3339_time,
    phone,
    required_text,
    short,
    text,
)

from .ecommerce import COMMERCE_NAMES, STANDARD_NAMES, commerce_keys, commerce_of, custom_name, name_key

CALL_TYPES = ("track", "page", "screen", "identify", "group", "alias")
MAX_USER_ID = 200  # user.anonymousId / memberId / previousId: the canonical event's shortText
CAMPAIGN_KEYS = ("source", "medium", "name", "term", "content", "id")
PAGE_KEYS = frozenset({"url", "path", "title", "referrer", "search"})
"""A page call's properties that describe the page itself: they become the event's `page`."""
DEVICE_CONTEXTS = ("app", "device", "os", "screen")
"""Segment's mobile context objects, kept flat (Common Fields spec: context.app, .device, .os, .screen)."""


def event_of(message: dict[str, Any], call: str, source_id: str, received_at: Any,
             sent_at: str | None) -> Event:
    """The canonical event of one message (a batch names its place in the fields of an error: `batch[3].`)."""
    user = _user(message, call)
    context = message.get("context")
    if type(context) is not dict:
        context = obj_or_empty(context, "context")
    event: Event = {"id": _event_id(message, source_id, received_at)}
    if call == "track":
        topic = message.get("event")
        if type(topic) is not str or not topic:
            topic = required_text(topic, "event")
        name = canonical_name(topic)
    else:
        name, topic = _NAMES[call], call
    event["name"] = name
    occurred = _time(message)
    if occurred is not None:
        event["occurredAt"] = occurred
        if sent_at is not None:
            event["sentAt"] = sent_at  # the gateway corrects the device clock: receivedAt − (sentAt − timestamp)
    event["source"] = {"topic": topic[:MAX_SOURCE_TEXT]}
    if user:
        event["user"] = user
    page = _page(message, call, context)
    if page:
        event["page"] = page
    properties, commerce = _properties(message, call, name)
    if properties:
        event["properties"] = properties
    if commerce is not None:
        event["commerce"] = commerce
    canonical_context = _context(context)
    if canonical_context:
        event["context"] = canonical_context
    return event


@lru_cache(maxsize=4096)
def canonical_name(event: str) -> str:
    """A track call's event name as the canonical name (an app sends the same few names again and again)."""
    return STANDARD_NAMES.get(name_key(event)) or custom_name(event)




def _time(message: dict[str, Any]) -> str | None:
    """When the call happened: `originalTimestamp`, else `timestamp`, in the canonical form."""
    key = "originalTimestamp" if "originalTimestamp" in message else "timestamp"
    value = message.get(key)
    if in_canonical_form(value):  # JavaScript's toISOString (the Node, browser and React Native libraries)
        return value  # the gateway checks that the calendar has the day when it reads it
    return opt_rfc3339_time(value, key)


_NAMES = {"page": "PageView", "screen": "ScreenView", "identify": "ProfileUpdate", "group": "Group",
          "alias": "Alias"}


def _event_id(message: dict[str, Any], source_id: str, received_at: Any) -> str:
    """`messageId` (Segment deduplicates on it); longer than 100 characters, or absent, a UUID derived from it."""
    message_id = message.get("messageId")
    if type(message_id) is str and 0 < len(message_id) <= 100:
        return message_id
    if message_id is not None:
        given = ident(message_id, "messageId", max_length=None)
        return given if len(given) <= 100 else derive_event_id("segment", source_id, given)
    # No messageId: the same message sent again is the same event; without a timestamp either, its arrival tells.
    digest = hashlib.sha256(orjson.dumps(message, option=orjson.OPT_SORT_KEYS)).hexdigest()
    moment = "" if message.get("timestamp") or message.get("originalTimestamp") else format_time(received_at)
    return derive_event_id("segment", source_id, digest, moment)


def _user(message: dict[str, Any], call: str) -> dict[str, Any]:
    """`anonymousId`, `userId` as memberId, alias's `previousId`, e-mail and phone from the traits."""
    anonymous = _id(message, "anonymousId")
    member = _id(message, "userId")
    previous = _id(message, "previousId") if call == "alias" else None
    if call == "alias" and (previous is None or member is None):
        missing = "previousId" if previous is None else "userId"
        raise PayloadInvalid(missing, message.get(missing),
                             "an alias call's previousId and userId (Segment Alias spec: both are required)")
    if anonymous is None and member is None:
        raise PayloadInvalid("userId", None, "a userId or an anonymousId (Segment requires one on every call)")
    context = message.get("context")
    context_traits = context.get("traits") if type(context) is dict else None
    if type(context_traits) is not dict:
        context_traits = None
    traits = None
    if call == "identify":
        # RudderStack's libraries put an identify's traits in context.traits (Segment's: at the top).
        traits = opt_obj(message.get("traits"), "traits")
        traits = traits if traits is not None else context_traits
    known = traits if traits is not None else context_traits or {}
    user: dict[str, Any] = {} if anonymous is None else {"anonymousId": anonymous}
    if member is not None:
        user["memberId"] = member
    if previous is not None:
        user["previousId"] = previous
    if known:
        user.update(compact({"email": email(_string(known.get("email")), "traits.email"),
                             "phone": phone(_string(known.get("phone")), "traits.phone")}))
    if traits:
        user["traits"] = properties_of(traits)
    return user


def _id(message: dict[str, Any], key: str) -> str | None:
    """A user id as Segment takes it: a string or a number; null or "" is none."""
    value = message.get(key)
    if type(value) is str and 0 < len(value) <= MAX_USER_ID:
        return value
    if value is None or value == "":
        return None
    return ident(value, key, max_length=MAX_USER_ID)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _page(message: dict[str, Any], call: str, context: dict[str, Any]) -> dict[str, Any] | None:
    """The page: a page call's properties (url, title, referrer, path), else the browser's `context.page`."""
    given = context.get("page")
    prefix = "context.page"
    if call == "page":
        properties = message.get("properties")
        if isinstance(properties, dict) and properties.get("url"):
            given, prefix = {**(given if isinstance(given, dict) else {}), **properties}, "properties"
    if given is None:
        return None
    if type(given) is not dict:
        given = obj(given, prefix)
    url = given.get("url")
    if type(url) is not str or not url:
        url = text(url, f"{prefix}.url")
        if url is None:
            return None
    page = {"url": url}
    title = given.get("title")
    if title is None and call == "page":
        title = message.get("name")
    if isinstance(title, str) and title:
        page["title"] = title[:1024]
    referrer = given.get("referrer")
    if isinstance(referrer, str) and referrer:
        page["referrer"] = referrer[:8192]
    return page


def _properties(message: dict[str, Any], call: str, name: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The event's properties (nested objects flattened, long strings cut and named) and its commerce."""
    if call in ("identify", "alias"):
        return {}, None
    if call == "group":
        group_id = ident(message.get("groupId"), "groupId", max_length=MAX_USER_ID)
        traits = obj_or_empty(message.get("traits"), "traits")
        return {**properties_of(traits), "groupId": group_id}, None
    given = message.get("properties")
    if type(given) is not dict:
        given = obj_or_empty(given, "properties")
    commerce = commerce_of(name, given) if name in COMMERCE_NAMES else None
    consumed = PAGE_KEYS if call == "page" else commerce_keys(name) if commerce is not None else _NONE
    if call in ("page", "screen"):
        given = {**{key: message[key] for key in ("name", "category") if isinstance(message.get(key), str)},
                 **given}
    properties = properties_of(given, consumed)
    if name == "Search" and "searchTerm" not in properties and isinstance(given.get("query"), str | int | float):
        properties["searchTerm"] = str(given["query"])[:512]  # Products Searched: `query` is the search term
    return properties, commerce


_PLAIN = (str, int, float, bool, type(None))
_SHORT = 128  # characters: at most 512 UTF-8 bytes, and a property name's length
_NONE: frozenset[str] = frozenset()


def properties_of(values: dict[str, Any], leave_out: frozenset[str] = _NONE) -> dict[str, Any]:
    """Canonical properties, but for `leave_out`: flat short values as they are (most calls), else flattened and cut."""
    kept = {}
    for key, value in values.items():
        if key in leave_out:
            continue
        if type(value) not in _PLAIN or not key or len(key) > _SHORT or (type(value) is str and len(value) > _SHORT):
            return fit_properties((k, v) for k, v in values.items() if k not in leave_out)
        kept[key] = value
    return kept


def _context(context: dict[str, Any]) -> dict[str, Any]:
    """The canonical context: ip, user agent, locale, campaign, library, and the app's app/device/os/screen.

    Segment's other context fields (location, network, timezone, referrer, traits, groupId) have no place in the
    canonical event; the Common Fields spec calls context "a complete and explicit specification".
    """
    result: dict[str, Any] = {}
    if not context:
        return result
    for key, longest in _CONTEXT_TEXTS:
        value = context.get(key)
        if type(value) is str and value:
            result[key] = value[:longest]
    campaign = context.get("campaign")
    if isinstance(campaign, dict):
        kept = {key: short(_string(campaign.get(key)), f"context.campaign.{key}") for key in CAMPAIGN_KEYS}
        if any(kept.values()):
            result["campaign"] = compact(kept)
    library = context.get("library")
    if isinstance(library, dict):
        name, version = library.get("name"), library.get("version")
        if type(name) is str and name:
            result["library"] = {"name": name[:200]} if version is None else {"name": name[:200],
                                                                              "version": str(version)[:50]}
    for key in DEVICE_CONTEXTS:
        value = context.get(key)
        if isinstance(value, dict) and value:
            result[key] = {k: v for k, v in properties_of(value).items() if not isinstance(v, list)}
    return result


_CONTEXT_TEXTS = (("ip", 45), ("userAgent", 1024), ("locale", 35))
