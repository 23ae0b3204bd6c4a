"""tagway.js: the browser SDK's batches, POSTed to `/v1/collect` with the source's write key.

Pure like every adapter: the member hash is checked with the source's `member_secret`, bots are flagged from
the browser's `navigator.webdriver` and the User-Agent header. See README.md and docs/sdk.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates, validates_schema

from adapters.sdk import Adapter, Batch, Event, InboundRequest, Problem, Source
from adapters.web.bots import looks_automated
from adapters.web.member import member_hash_holds, valid_member_secret
from adapters.web.protocol import checked_item, envelope_of, millis
from adapters.web.snippet import snippet

NAMES = {"page": "PageView", "identify": "ProfileUpdate"}
"""Event names of the calls that are not `track(name, ...)`."""
PAGE_KEYS = ("url", "title", "referrer")
COOKIE_NAME = "tw_aid"
"""The first-party cookie holding the anonymous id (the SDK writes it; a first-party gateway refreshes it)."""


class WebSettings(Schema):
    """Settings of a tagway.js source."""

    member_secret = fields.String(load_default=None, metadata={
        "description": "hex secret of the member hash (HMAC-SHA256 of memberId), as Channel Talk issues one"})
    require_member_hash = fields.Boolean(load_default=False, metadata={
        "description": "store a browser's memberId only with a valid memberHash (else the event is stored "
                       "without it, and the answer and the rejection list say why)"})
    cookie_domain = fields.String(load_default=None, metadata={
        "description": "the site's own domain when the gateway is served under it (events.shop.com for shop.com):"
                       " collect answers then refresh the anonymous id cookie with an HTTP Set-Cookie",
        "example": "shop.com"})

    @validates("member_secret")
    def _hex(self, value: str | None, **_: Any) -> None:
        if value is not None and not valid_member_secret(value):
            raise ValidationError("must be a hex secret of at least 32 hex digits (16 bytes)")

    @validates("cookie_domain")
    def _domain(self, value: str | None, **_: Any) -> None:
        if value is not None and not _is_domain(value):
            raise ValidationError("must be a domain name such as shop.com (no scheme, port or path)")

    @validates_schema
    def _secret_for_hash(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("require_member_hash") and not data.get("member_secret"):
            raise ValidationError("require_member_hash needs member_secret", "require_member_hash")


def _is_domain(value: str) -> bool:
    """Whether `value` is a bare domain name of two labels or more."""
    labels = value.split(".")
    return len(labels) >= 2 and all(0 < len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()
                                    for label in labels)


class WebAdapter(Adapter):
    """Events of tagway.js, the browser SDK served by the gateway."""

    name = "web"
    title = "tagway.js (browser SDK)"
    settings_schema = WebSettings
    secret_settings = ("member_secret",)
    content_types = ("text/plain", "application/json")  # text/plain: no CORS preflight, and sendBeacon
    receives_webhooks = False
    collects_from_browsers = True
    accepts_write_key = True

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The batch's events; a member id without a valid hash, where required, is left out and said so."""
        envelope = envelope_of(request)
        sent_at = millis(envelope["sentAt"], "sentAt") if envelope.get("sentAt") is not None else None
        library = _library(envelope.get("library"))
        bot_agent = looks_automated(request.header("user-agent"), None)
        events, dropped = [], {}
        for index, raw in enumerate(envelope["batch"]):
            item = checked_item(raw, f"batch[{index}]")
            event, problems = _event(item, source.settings, index)
            if sent_at:
                event["sentAt"] = sent_at
            context = _context(item, library, bot_agent)
            if context:
                event["context"] = context
            if problems:
                dropped[index] = problems
            events.append(event)
        return Batch(events, "batch", dropped)

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """How a site starts sending with tagway.js."""
        return [
            "Paste the code below into every page of the site, before </head> (or install the npm package "
            "sdk/web and call tagway('boot', ...) from your own code).",
            "Add the site's origin to this source's allowed_origins (e.g. [\"https://www.shop.com\"]): "
            "browsers read the gateway's answers, and so retry only what failed, from allowed origins only.",
            "To trust member ids, set member_secret (hex, as Channel Talk's member hash secret) and "
            "require_member_hash = true on this source, and have your server compute memberHash.",
            "Check that the events arrive: tagway's console, or GET /v1/events.",
        ]

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None, *,
                        sdk_url: str | None = None) -> str | None:
        """The loader to paste: the queue stub, the script (at `sdk_url`) with its integrity hash, and boot."""
        return snippet(gateway_url, write_key or "<write key>", source.settings.get("cookie_domain"), sdk_url)

    def id_cookie(self, source: Source) -> tuple[str, str] | None:
        """The anonymous id cookie that collect answers refresh, when the gateway is first-party."""
        domain = source.settings.get("cookie_domain")
        return (COOKIE_NAME, domain) if domain else None


def _event(item: dict[str, Any], settings: Mapping[str, Any], index: int) -> tuple[Event, list[Problem]]:
    """One canonical event (without context) and what was left out of it."""
    event: Event = {"id": item["id"], "name": NAMES.get(item["type"]) or item.get("name")}
    if item.get("occurredAt") is not None:
        event["occurredAt"] = millis(item["occurredAt"], f"batch[{index}].occurredAt")
    user, problems = _user(item, settings)
    if user:
        event["user"] = user
    page = {key: item["page"][key] for key in PAGE_KEYS if (item.get("page") or {}).get(key) not in (None, "")}
    if page.get("url"):
        event["page"] = page
    if item.get("properties"):
        event["properties"] = item["properties"]
    return event, problems


def _user(item: dict[str, Any], settings: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The user: memberVerified only after the hash is checked here (a browser's own claim is never read)."""
    user: dict[str, Any] = {}
    if item.get("anonymousId"):
        user["anonymousId"] = item["anonymousId"]
    member_id, given = item.get("memberId"), item.get("memberHash")
    secret: str | None = settings.get("member_secret")
    problems = []
    if member_id:
        verified = secret is not None and member_hash_holds(member_id, given, secret)
        if verified or not settings.get("require_member_hash"):
            user["memberId"] = member_id
            if verified:
                user["memberVerified"] = True
        else:
            problems.append(Problem(
                "memberHash", given,
                f"the member hash of memberId {member_id!r} (hex HMAC-SHA256 with this source's member_secret): "
                "without it the event is stored without its member id"))
    if item.get("traits") and (user.get("anonymousId") or user.get("memberId")):
        user["traits"] = item["traits"]
    return user, problems


def _library(value: Any) -> dict[str, str] | None:
    """The SDK's name and version, as the envelope gives them."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    return {key: str(value[key])[:50] for key in ("name", "version") if value.get(key)}


def _context(item: dict[str, Any], library: dict[str, str] | None, bot_agent: bool) -> dict[str, Any]:
    """The browser's locale, the bot flag (set here only) and the library."""
    context: dict[str, Any] = {}
    if item.get("locale"):
        context["locale"] = item["locale"]
    if bot_agent or looks_automated(None, item.get("webdriver")):
        context["bot"] = True
    if library:
        context["library"] = library
    return context


adapter = WebAdapter()
