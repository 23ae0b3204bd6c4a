"""Cafe24 (Korea): webhooks of a Cafe24 app, authenticated by the app's webhook API key.

A Cafe24 app (Cafe24 Developers) subscribes to numbered events; Cafe24 POSTs each one as JSON,
`{"event_no": 90023, "resource": {"mall_id": ..., ...}}`, with the app's API key in a header.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from adapters.base import Adapter, Event, InboundRequest, Source
from adapters.cafe24.mapping import events_for, read_delivery
from adapters.cafe24.signature import API_KEY_HEADER, verify_api_key


class Cafe24Settings(Schema):
    """Settings of a Cafe24 source."""

    api_key = fields.String(required=True, metadata={
        "description": "The webhook API key Cafe24 issues for the app (Cafe24 Developers, the app's webhook "
                       f"settings); Cafe24 sends it in the {API_KEY_HEADER} header.",
        "example": "a1B2c3D4e5F6g7H8i9J0k1"})


class Cafe24Adapter(Adapter):
    """Cafe24 app webhooks (orders, payments, sign-ups, sign-ins, carts)."""

    name = "cafe24"
    title = "Cafe24 (app webhooks)"
    settings_schema = Cafe24Settings
    secret_settings = ("api_key",)
    signature_headers = (API_KEY_HEADER,)
    signs_body = False  # a shared key in a header: it proves the sender, not the body

    def verify(self, request: InboundRequest, source: Source) -> None:
        """The webhook API key, compared in constant time."""
        verify_api_key(request, str(source.settings.get("api_key") or ""))

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The canonical events of the webhook; [] for events that are not customer actions."""
        return events_for(read_delivery(request.json(), request.received_at))

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """What the app's developer does in Cafe24 Developers."""
        return [
            "In Cafe24 Developers (developers.cafe24.com), open Dashboard > Products > Apps, select your app "
            "and go to App setup > Webhook. The app needs read access to orders and customers "
            "(mall.read_order, mall.read_customer) for these events.",
            "Register each of these events — 90023 (order placed), 90025 (order payment status changed), "
            "90032 (customer signed up), 90143 (customer signed in), 90084 (items added to cart) — "
            f"with this receiving URL: {webhook_url}",
            "Copy the webhook API key Cafe24 issues for the app (its webhook authentication information) and "
            f"give it to this source as its api_key setting; Cafe24 sends it in the {API_KEY_HEADER} header "
            "of every webhook.",
            "Cafe24 sends webhooks only for malls that installed the app; each event names its mall (mall_id), "
            "which becomes source.shop.",
        ]


adapter = Cafe24Adapter()
