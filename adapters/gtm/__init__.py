"""Google Tag Manager: dataLayer events sent by tagway's GTM templates to `/v1/collect`.

Understands GA4 e-commerce pushes, Universal Analytics Enhanced Ecommerce, gtag() commands, GTM's
built-in events and custom events, with a per-source rename table and drop list. See README.md.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from adapters.base import Adapter, Event, InboundRequest, PayloadInvalid, Source
from adapters.fields import currency, rfc3339_time, setting_validator
from adapters.gtm.datalayer import MappingRules, map_event
from adapters.gtm.properties import fit_properties
from adapters.gtm.protocol import payloads_of
from adapters.times import format_time, from_epoch_millis

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,29}$")
_USER_KEYS = ("anonymousId", "memberId", "email", "phone")
_PAGE_KEYS = ("url", "title", "referrer")


class GtmSettings(Schema):
    """Settings of a GTM source."""

    rename = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict, metadata={
        "description": "dataLayer event → event name, e.g. {chat_open = \"UserChatOpen\"}",
        "example": {"chat_open": "UserChatOpen"}})
    drop = fields.List(fields.String(), load_default=list, metadata={
        "description": "dataLayer events not to record", "example": ["scroll_depth"]})
    default_currency = fields.String(load_default=None, validate=setting_validator(currency), metadata={
        "description": "currency of e-commerce pushes that name none (UA pushes often do not)", "example": "KRW"})

    @validates("rename")
    def _valid_names(self, value: dict[str, str], **_: Any) -> None:
        bad = sorted(target for target in value.values() if not _NAME.match(target))
        if bad:
            raise ValidationError(f"{bad[0]!r} is not an event name: 1 to 30 characters, a letter first, "
                                  "then letters, digits or underscores")


class GtmAdapter(Adapter):
    """dataLayer events from the web and server GTM templates."""

    name = "gtm"
    title = "Google Tag Manager (dataLayer)"
    settings_schema = GtmSettings
    content_types = ("application/json", "text/plain")  # text/plain: sendBeacon and no-preflight fetches
    receives_webhooks = False
    collects_from_browsers = True
    speaks_gtm_web_tag = True
    accepts_write_key = True

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The collect payload(s) of the request as canonical events."""
        rules = MappingRules(rename=dict(source.settings.get("rename") or {}),
                             drop=frozenset(source.settings.get("drop") or ()),
                             default_currency=source.settings.get("default_currency"))
        payloads = payloads_of(request)
        events = []
        for index, payload in enumerate(payloads):
            event = self._event(payload, rules, f"batch[{index}]" if len(payloads) > 1 else "payload")
            if event is not None:
                events.append(event)
        return events

    def _event(self, payload: dict[str, Any], rules: MappingRules, field: str) -> Event | None:
        data = payload.get("data") or {}
        mapped = map_event(payload.get("event"), data, payload.get("name"), rules, f"{field}.data")
        if mapped is None:
            return None
        event: Event = {"id": payload["id"], "name": mapped.name}
        for key in ("occurredAt", "sentAt"):
            if payload.get(key) is not None:
                event[key] = _time(payload[key], f"{field}.{key}")
        user = {k: str(v) for k, v in (payload.get("user") or {}).items() if k in _USER_KEYS and v not in (None, "")}
        if user:
            event["user"] = user
        page = {k: str(v) for k, v in (payload.get("page") or {}).items() if k in _PAGE_KEYS and v not in (None, "")}
        if mapped.page_url:
            page["url"] = mapped.page_url  # a single-page-app navigation: the new URL is the page
        if page.get("url"):
            event["page"] = page
        properties = {**mapped.properties, **fit_properties((payload.get("properties") or {}).items())}
        if properties:
            event["properties"] = properties
        if mapped.commerce:
            event["commerce"] = mapped.commerce
        library = payload.get("library")
        if isinstance(library, dict) and isinstance(library.get("name"), str):
            event["context"] = {"library": {k: str(library[k]) for k in ("name", "version") if library.get(k)}}
        return event

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """How a GTM container is pointed at the gateway."""
        gateway = webhook_url.split("/v1/webhooks/")[0]
        return [
            f"Download the template with this source's gateway URL and write key filled in: sign in at "
            f"{gateway}/console/sources/{source.id}/template and press Download template.tpl. In Google Tag "
            "Manager, open Templates → Tag Templates → New, then the menu ⋮ → Import, and choose that file; "
            "save it.",
            f"Add a tag of the type \"tagway\": its Gateway URL ({gateway}) and Write key are filled in already "
            "(with gtm_templates/web-tag/template.tpl from tagway instead, type them: the write key is printed by "
            "tagway sources add; later `tagway sources list --reveal` or the console's Sources page).",
            "Fire the tag on the trigger \"All Events\" (or only on the events you want), preview the container "
            "and check that the events arrive (tagway's console, or GET /v1/events).",
        ]


def _time(value: Any, field: str) -> str:
    """A client time: milliseconds since the epoch (getTimestampMillis) or an RFC 3339 string."""
    if isinstance(value, bool):
        raise PayloadInvalid(field, value, "milliseconds since the Unix epoch, or an RFC 3339 time")
    if isinstance(value, int | float):
        try:
            return format_time(from_epoch_millis(value))
        except (OverflowError, OSError, ValueError):
            raise PayloadInvalid(field, value, "milliseconds since the Unix epoch (a 13-digit number today)") from None
    if isinstance(value, str):
        return rfc3339_time(value, field)
    raise PayloadInvalid(field, value, "milliseconds since the Unix epoch, or an RFC 3339 time")


adapter = GtmAdapter()
