"""BigCommerce: a Script Manager snippet forwards the storefront's BODL events (`window.bodlEvents`) to /v1/collect.

The snippet (pixel.js, printed by `tagway sources add bigcommerce-pixel`) forwards each BODL event as BigCommerce
gives it; the mapping to canonical events is here, so that a fix never asks the merchant to paste it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.base import Event, InboundRequest, PayloadInvalid, Source
from adapters.bigcommerce_pixel.mapping import EVENTS
from adapters.consent import ConsentSettings, apply_consent, consent_of
from adapters.fields import compact, obj_or_empty, opt_ident, provider_source
from adapters.pixel_envelope import Envelope, browser_time, event_id, read_envelope
from adapters.pixel_snippet import PixelAdapter, pixel_snippet

PIXEL_JS = Path(__file__).with_name("pixel.js")


class BigcommercePixelSettings(ConsentSettings):
    """Settings of a BigCommerce pixel source: what to do without the shopper's consent."""


class BigcommercePixelAdapter(PixelAdapter):
    """BigCommerce BODL events from tagway's Script Manager snippet."""

    name = "bigcommerce_pixel"
    title = "BigCommerce storefront events (BODL)"
    settings_schema = BigcommercePixelSettings

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The snippet's one BODL event as a canonical event."""
        envelope = read_envelope(request)
        raw = envelope.event
        name = raw.get("name")
        mapper = EVENTS.get(name) if isinstance(name, str) else None
        if mapper is None:
            raise PayloadInvalid("event.name", name, "a BODL event name (bodl_v1_...) or page_view")
        data = obj_or_empty(raw.get("data"), "event.data")
        try:
            event = mapper(data)
            bodl_id = opt_ident(data.get("event_id"), "event_id")
            channel = opt_ident(data.get("channel_id"), "channel_id")
        except PayloadInvalid as error:
            raise error.under("event.data") from None
        event = {"id": bodl_id or event_id(raw.get("id"), "event.id"), **event}
        if channel:
            event["properties"] = {**event.get("properties", {}), "channelId": channel}
        event = _completed(event, envelope, str(name), raw.get("at"))
        kept = apply_consent(event, consent_of(envelope.consent), source.settings, request.remote_addr)
        return [kept] if kept is not None else []

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """The clicks in the BigCommerce control panel: BODL on, then the script in Script Manager."""
        return [
            "In the BigCommerce control panel, switch the data layer (BODL) on for the storefront: Settings → "
            "Data solutions → Data layer (or the GraphQL Admin API's enable data layer mutation). The storefront "
            "must use a Stencil theme: BODL does not exist on headless storefronts.",
            "Open Storefront → Script Manager and click Create a Script. Name: tagway; Location on page: Footer; "
            "Select pages where script will be added: All pages; Script category: Analytics; Script type: Script.",
            "Paste the code printed below (the gateway URL and this source's write key are filled in) into Script "
            "contents and click Save.",
            "Open the storefront in a private window and view a product: a PageView and a ProductView arrive in "
            "the gateway (the console's live events, or GET /v1/events). With the store's cookie consent banner "
            "on, BigCommerce runs the script only for shoppers who allow Analytics cookies.",
        ]

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None, *,
                        sdk_url: str | None = None) -> str | None:
        """The Script Manager script (a <script> element), the gateway URL and write key filled in."""
        return pixel_snippet(PIXEL_JS, "tagway-bigcommerce-pixel", gateway_url, write_key, html=True)


def _completed(event: Event, envelope: Envelope, name: str, raw_time: Any) -> Event:
    """The mapped event with its time, visitor, page and context from the envelope."""
    occurred = browser_time(raw_time, "event.at")  # BODL's events carry no time: when the snippet got it
    if occurred:
        event["occurredAt"] = occurred
        if envelope.sent_at:
            event["sentAt"] = envelope.sent_at
    user = compact({"anonymousId": envelope.anonymous_id, "memberId": envelope.customer_id})
    if user:
        event["user"] = user
    if envelope.page.get("url"):
        event["page"] = dict(envelope.page)
    event["source"] = provider_source(name[:200], event["id"], envelope.shop)
    if envelope.library:
        event["context"] = {"library": envelope.library}
    return event


adapter = BigcommercePixelAdapter()
