"""`channel`: a customer-messaging destination shaped after Channel Talk's Open API.

For each event: upsert the user by member id (`PUT /open/v5/users/@{memberId}`), then create the
event for that user (`POST /open/v5/users/{userId}/events` with `{name, property}`), authenticated
by `x-access-key` / `x-access-secret`. Channel's limits apply: event names ≤ 30 characters, string
properties ≤ 512 UTF-8 bytes, list/object properties ≤ 4 KB; what had to be cut is recorded in the
delivery's note, never lost silently (the stored event keeps everything).

Source of the shapes: Channel Talk's Open API reference on developers.channel.io (v5): "Create an event"
(docs/create-an-event-1) and the user upsert by member id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import orjson
import requests
from marshmallow import Schema, fields

from adapters.base import Event
from app.delivery.destinations.base import Attempt, Destination, NoRedirectSession

MAX_NAME = 30
MAX_STRING_BYTES = 512
MAX_COMPOUND_BYTES = 4096
USER_CACHE_SIZE = 10_000


class ChannelSettings(Schema):
    """Settings of a Channel Talk destination."""

    access_key = fields.String(required=True, metadata={"description": "Open API access key (x-access-key)"})
    access_secret = fields.String(required=True, metadata={"description": "Open API access secret (x-access-secret)"})
    base_url = fields.Url(load_default="https://api.channel.io", require_tld=False, metadata={
        "description": "the Open API's address", "example": "https://api.channel.io"})


def channel_property(event: Event) -> tuple[dict[str, Any], list[str]]:
    """The event's properties as a Channel event property, and what had to be cut to fit."""
    property_: dict[str, Any] = dict(event.get("properties") or {})
    commerce = event.get("commerce") or {}
    if "value" in commerce:
        property_["revenue"] = commerce["value"]  # Channel's marketing revenue reads `revenue`
    for key in ("currency", "orderId", "cartId"):
        if key in commerce:
            property_[key] = commerce[key]
    if commerce.get("items"):
        property_["items"] = [{k: v for k, v in item.items() if k != "properties"} for item in commerce["items"]]
    page = event.get("page") or {}
    if page.get("canonicalUrl"):
        property_["url"] = page["canonicalUrl"]
    if event.get("journey"):
        property_.update(journey_property(event["journey"]))
    cut: list[str] = []
    fitted: dict[str, Any] = {}
    for key, value in property_.items():
        fitted[key] = _fit(key, value, cut)
    return fitted, cut


def journey_property(journey: dict[str, Any]) -> dict[str, Any]:
    """The journey before a chat as flat Channel properties; the pages newest first, so a cut drops the oldest."""
    campaign = journey.get("campaign") or {}
    flat = {"chatPage": journey.get("page"), "landingUrl": journey.get("landingUrl"),
            "referrer": journey.get("referrer"), "utmSource": campaign.get("source"),
            "utmMedium": campaign.get("medium"), "utmCampaign": campaign.get("name"),
            "pagesBeforeChat": [{"url": p["url"], "seconds": p["secondsOnPage"]}
                                for p in reversed(journey.get("pages") or [])]}
    return {key: value for key, value in flat.items() if value not in (None, [])}


def _fit(key: str, value: Any, cut: list[str]) -> Any:
    if isinstance(value, str):
        encoded = value.encode()
        if len(encoded) > MAX_STRING_BYTES:
            cut.append(f"{key} ({len(encoded)} → {MAX_STRING_BYTES} bytes)")
            return encoded[:MAX_STRING_BYTES].decode("utf-8", "ignore")
        return value
    if isinstance(value, list | dict):
        size = len(orjson.dumps(value))
        if size <= MAX_COMPOUND_BYTES:
            return value
        if isinstance(value, dict):
            cut.append(f"{key} ({size} bytes, dropped)")
            return None
        kept = list(value)
        while kept and len(orjson.dumps(kept)) > MAX_COMPOUND_BYTES:
            kept.pop()
        cut.append(f"{key} ({len(value)} → {len(kept)} entries)")
        return kept
    return value


def channel_profile(event: Event) -> dict[str, Any]:
    """The user's profile fields Channel knows (camelCase; mobileNumber in E.164)."""
    user = event.get("user") or {}
    profile: dict[str, Any] = dict(user.get("traits") or {})
    if user.get("email"):
        profile["email"] = user["email"]
    if user.get("phone"):
        profile["mobileNumber"] = user["phone"]
    return profile


class ChannelDestination(Destination):
    """One event at a time, in order per user; only events of known members (Channel keys users by them)."""

    kind = "channel"
    settings_schema = ChannelSettings
    secret_settings = ("access_key", "access_secret")
    ordered_by_default = True
    max_batch_size = 1
    calls_per_batch = 2  # the user upsert, then the event

    def __init__(self, config: Any, session: NoRedirectSession | None = None) -> None:
        super().__init__(config, session)
        self.session.headers.update({"x-access-key": str(self.setting("access_key")),
                                     "x-access-secret": str(self.setting("access_secret"))})
        self.base = str(self.setting("base_url")).rstrip("/")
        self._user_ids: OrderedDict[str, str] = OrderedDict()

    def matches(self, event: Event) -> bool:
        """Events with a member id (Channel's Open API has no anonymous users), within the filters."""
        return bool((event.get("user") or {}).get("memberId")) and super().matches(event)

    def deliver(self, events: Sequence[Event]) -> list[Attempt]:
        """Each event on its own: upsert the member when needed, then create the event."""
        return [self._deliver_one(event) for event in events]

    def _deliver_one(self, event: Event) -> Attempt:
        member_id = str(event["user"]["memberId"])
        profile = channel_profile(event)
        user_id = self._user_ids.get(member_id)
        timeout = self.config.timeout_seconds
        try:
            if user_id is None or profile:
                response = self.session.put(f"{self.base}/open/v5/users/@{quote(member_id, safe='')}",
                                            json={"profile": profile} if profile else {}, timeout=timeout)
                attempt = Attempt.from_response(response, "channel user upsert")
                if attempt.result != "delivered":
                    return attempt
                user_id = _user_id(response)
                if user_id is None:
                    return Attempt("retry", f"channel user upsert answered without a user id: {response.text[:200]}")
                self._remember(member_id, user_id)
            property_, cut = channel_property(event)
            response = self.session.post(f"{self.base}/open/v5/users/{quote(user_id, safe='')}/events",
                                         json={"name": event["name"][:MAX_NAME], "property": property_},
                                         timeout=timeout)
        except requests.RequestException as error:
            return Attempt.from_exception(error, "channel")
        attempt = Attempt.from_response(response, "channel event")
        if response.status_code == 404:
            self._user_ids.pop(member_id, None)  # the user may have been deleted: upsert again next time
            return Attempt("retry", attempt.error)
        note = "cut to Channel's limits: " + "; ".join(cut) if cut else None
        return Attempt(attempt.result, attempt.error, attempt.retry_after, note)

    def _remember(self, member_id: str, user_id: str) -> None:
        self._user_ids[member_id] = user_id
        self._user_ids.move_to_end(member_id)
        while len(self._user_ids) > USER_CACHE_SIZE:
            self._user_ids.popitem(last=False)


def _user_id(response: requests.Response) -> str | None:
    """The Channel user id in an upsert answer (`{"user": {...}}`; a bare user object is accepted too)."""
    try:
        body = response.json()
    except ValueError:
        return None
    user = body.get("user", body) if isinstance(body, dict) else None
    identifier = user.get("id") if isinstance(user, dict) else None
    return str(identifier) if identifier else None
