"""Shopify Customer Events: a custom pixel forwards the storefront's and checkout's Web Pixels events to /v1/collect.

The pixel (pixel.js, printed by `tagway sources add shopify-pixel`) forwards each event as Shopify gives it; the
mapping to canonical events is here, so that a fix never asks the shop owner to paste the pixel again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.base import Event, InboundRequest, PayloadInvalid, Source
from adapters.consent import ConsentSettings, apply_consent, consent_of
from adapters.fields import compact, obj_or_empty, provider_source, rfc3339_time
from adapters.pixel_envelope import Envelope, event_id, read_envelope
from adapters.pixel_snippet import PixelAdapter, pixel_snippet
from adapters.shopify_pixel.mapping import (
    STANDARD,
    context_locale,
    context_page,
    custom_event,
    shopify_id,
)

PIXEL_JS = Path(__file__).with_name("pixel.js")
STANDARD_EVENTS_SUBSCRIBED = tuple(STANDARD)
"""The standard events pixel.js subscribes to: those mapped here."""
NOT_RECORDED_TYPES = frozenset({"dom", "advanced-dom", "meta"})
"""Clicks, inputs and DOM snapshots: the pixel does not subscribe to them, and they carry no page."""
# Shopify's names of the consent flags (web-pixels-extension 2.18.0, types/PrivacyApi.ts) → canonical purposes.
CONSENT_FLAGS = {"analyticsProcessingAllowed": "analytics", "marketingAllowed": "marketing",
                 "preferencesProcessingAllowed": "preferences", "saleOfDataAllowed": "saleOfData"}


class ShopifyPixelSettings(ConsentSettings):
    """Settings of a Shopify pixel source: what to do without the visitor's consent."""


class ShopifyPixelAdapter(PixelAdapter):
    """Shopify Web Pixels events from tagway's custom pixel."""

    name = "shopify_pixel"
    title = "Shopify Customer Events (custom pixel)"
    settings_schema = ShopifyPixelSettings

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The pixel's one event as a canonical event; [] for events that are not recorded."""
        envelope = read_envelope(request)
        raw = envelope.event
        kind = raw.get("type", "standard")
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise PayloadInvalid("event.name", name, "the Shopify event's name, e.g. page_viewed")
        if kind in NOT_RECORDED_TYPES:
            return []
        try:
            if kind == "custom":
                event: Event | None = custom_event(name, raw.get("customData"))
            elif kind == "standard":
                mapper = STANDARD.get(name)
                event = mapper(obj_or_empty(raw.get("data"), "data")) if mapper else None
            else:
                raise PayloadInvalid("type", kind, "a Shopify event type: standard, custom, dom or advanced-dom")
        except PayloadInvalid as error:
            raise error.under("event") from None
        if event is None:
            return []
        event = self._completed(event, raw, envelope)
        kept = apply_consent(event, _consent(envelope), source.settings, request.remote_addr)
        return [kept] if kept is not None else []

    @staticmethod
    def _completed(event: Event, raw: dict[str, Any], envelope: Envelope) -> Event:
        """The mapped event with its id, times, visitor, page and context from the Shopify event and envelope."""
        event = {"id": event_id(raw.get("id"), "event.id"), **event}
        if raw.get("timestamp") is not None:
            # Shopify's own test fixtures write "2023-12-20T16:39:23+0000" (checkout-sheet-kit-android).
            event["occurredAt"] = rfc3339_time(raw["timestamp"], "event.timestamp", allow_offset_without_colon=True)
            if envelope.sent_at:
                event["sentAt"] = envelope.sent_at
        user = compact({"anonymousId": shopify_id(raw.get("clientId"), "event.clientId"),
                        "memberId": shopify_id(envelope.customer_id, "customerId"), **event.pop("user", {})})
        if user:
            event["user"] = user
        context = obj_or_empty(raw.get("context"), "event.context")
        page = context_page(context)
        if page.get("url"):
            event["page"] = page
        event["source"] = provider_source(str(raw.get("name"))[:200], event["id"], envelope.shop)
        extra = compact({"locale": context_locale(context), "library": envelope.library or None})
        if extra:
            event["context"] = extra
        return event

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """The clicks in the Shopify admin that add and connect the custom pixel."""
        return [
            "In the Shopify admin, open Settings → Customer events and click Add custom pixel; name it tagway and "
            "click Add pixel.",
            "Under Customer privacy, set Permission: Not required lets the pixel run for every visitor and it "
            "sends events without the visitor's identifiers until they consent (the source's without_consent "
            "setting decides what the gateway keeps); Required runs it only after a visitor consents through a "
            "banner connected to Shopify's Customer Privacy API (without such a banner it never runs). Leave Data "
            "sale on \"Data collected does not qualify as data sale\".",
            "Delete the example code in the Code box, paste the code printed below (the gateway URL and this "
            "source's write key are filled in) and click Save.",
            "Click Connect pixel (in the list of pixels: Connect) and confirm with Connect: a pixel that is saved "
            "but not connected sends nothing, the most common reason why no event arrives. Its status in the list "
            "must read Connected.",
            "Open the shop in a private window and view a product: page_viewed and product_viewed arrive in the "
            "gateway (the console's live events, or GET /v1/events). Remove any older copy of a tracking code "
            "from theme.liquid or the checkout's Additional scripts, or events are counted twice.",
        ]

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None, *,
                        sdk_url: str | None = None) -> str | None:
        """The custom pixel's JavaScript, the gateway URL and write key filled in."""
        return pixel_snippet(PIXEL_JS, "tagway-shopify-pixel", gateway_url, write_key)


def _consent(envelope: Envelope) -> dict[str, bool]:
    """The visitor's consent in canonical names."""
    return consent_of({CONSENT_FLAGS[flag]: value for flag, value in envelope.consent.items() if flag in CONSENT_FLAGS})


adapter = ShopifyPixelAdapter()
