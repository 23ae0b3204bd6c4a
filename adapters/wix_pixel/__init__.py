"""Wix: a custom-code snippet forwards the events Wix reports to `wixDevelopersAnalytics` listeners to /v1/collect.

The snippet (pixel.js, printed by `tagway sources add wix-pixel`) forwards each event as Wix gives it; the mapping
to canonical events is here, so that a fix never asks the site owner to paste the code again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.base import Event, InboundRequest, PayloadInvalid, Source
from adapters.consent import ConsentSettings, apply_consent, consent_of
from adapters.fields import compact, obj_or_empty, opt_ident, provider_source
from adapters.pixel_envelope import Envelope, browser_time, event_id, read_envelope
from adapters.pixel_snippet import PixelAdapter, pixel_snippet
from adapters.wix_pixel.mapping import map_event, visitor_id

PIXEL_JS = Path(__file__).with_name("pixel.js")
# Wix's consent policy (dev.wix.com "About the Consent Policy": essential, functional, analytics, advertising,
# data to third parties) → canonical purposes.
CONSENT_FLAGS = {"analytics": "analytics", "advertising": "marketing", "functional": "preferences",
                 "dataToThirdParty": "saleOfData"}


class WixPixelSettings(ConsentSettings):
    """Settings of a Wix pixel source: what to do without the visitor's consent."""


class WixPixelAdapter(PixelAdapter):
    """Wix client events from tagway's custom-code snippet."""

    name = "wix_pixel"
    title = "Wix site events (custom code)"
    settings_schema = WixPixelSettings

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The snippet's one Wix event as a canonical event; [] for events that are not recorded."""
        envelope = read_envelope(request)
        raw = envelope.event
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise PayloadInvalid("event.name", name, "the Wix event's name, e.g. PageView")
        params = obj_or_empty(raw.get("params"), "event.params")
        try:
            event = map_event(name, params)
            anonymous = visitor_id(params)
            internal = opt_ident(params.get("_internalEventId"), "_internalEventId")
        except PayloadInvalid as error:
            raise error.under("event.params") from None
        if event is None:
            return []
        # Wix's _internalEventId is the event's own id: the same event reported twice is stored once.
        event = {"id": internal or event_id(raw.get("id"), "event.id"), **event}
        event = _completed(event, envelope, anonymous or envelope.anonymous_id, name, raw.get("at"))
        kept = apply_consent(event, _consent(envelope), source.settings, request.remote_addr)
        return [kept] if kept is not None else []

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """The clicks in the Wix dashboard that add the snippet to every page."""
        return [
            "In the Wix dashboard of the site, open Settings → Custom Code (under Development & integrations) and "
            "click + Add Custom Code.",
            "Paste the code printed below (the gateway URL and this source's write key are filled in), name it "
            "tagway, choose Add Code to Pages: All pages, Load code once, and Place Code in: Head.",
            "On the Code Type tab choose Analytics, so that Wix runs it only for visitors who allow analytics "
            "cookies when the site shows a cookie banner, then click Apply.",
            "Publish the site: Wix reports its events only on the published site, never in the editor's preview. "
            "Open a product page of the published site: PageView and ProductView arrive in the gateway (the "
            "console's live events, or GET /v1/events).",
        ]

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None, *,
                        sdk_url: str | None = None) -> str | None:
        """The custom code (a <script> element), the gateway URL and write key filled in."""
        return pixel_snippet(PIXEL_JS, "tagway-wix-pixel", gateway_url, write_key, html=True)


def _completed(event: Event, envelope: Envelope, anonymous_id: str | None, name: str, raw_time: Any) -> Event:
    """The mapped event with its time, visitor, page and context from the envelope."""
    # Wix's events carry no time: the snippet notes when Wix reported it (`at`), corrected for the browser's skew.
    occurred = browser_time(raw_time, "event.at")
    if occurred:
        event["occurredAt"] = occurred
        if envelope.sent_at:
            event["sentAt"] = envelope.sent_at
    user = compact({"anonymousId": anonymous_id, "memberId": envelope.customer_id})
    if user:
        event["user"] = user
    page = {**event.pop("page", {}), **envelope.page}
    if page.get("url"):
        event["page"] = page
    event["source"] = provider_source(name[:200], event["id"], envelope.shop)
    if envelope.library:
        event["context"] = {"library": envelope.library}
    return event


def _consent(envelope: Envelope) -> dict[str, bool]:
    """The visitor's consent in canonical names."""
    flags: dict[str, Any] = envelope.consent
    return consent_of({CONSENT_FLAGS[flag]: value for flag, value in flags.items() if flag in CONSENT_FLAGS})


adapter = WixPixelAdapter()
