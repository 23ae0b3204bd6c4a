"""Wix: webhooks of a Wix app — the whole body is a JWT signed RS256 with Wix's key for the app.

A Wix app (built in the Wix Dev Center and installed on the shop's site) subscribes to events;
Wix POSTs each one to the app's callback URL as a JWT whose `data` claim holds the envelope
(`eventType`, `instanceId`, the event as a JSON string). The signature is checked against the
app's public key; the inner event id makes redeliveries land on the same canonical event id.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from adapters.base import Adapter, Event, InboundRequest, Source
from adapters.wix.envelope import read_envelope
from adapters.wix.mapping import events_for
from adapters.wix.signature import public_key, verify_jwt

EXAMPLE_KEY = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...\n-----END PUBLIC KEY-----"


class WixSettings(Schema):
    """Settings of a Wix source."""

    public_key = fields.String(required=True, metadata={
        "description": "The app's public key (PEM) from the Wix Dev Center: your app > Webhooks > Get Public Key.",
        "example": EXAMPLE_KEY})

    @validates("public_key")
    def _rsa_key(self, value: str, **_: Any) -> None:
        try:
            public_key(value)
        except ValueError:
            raise ValidationError("must be the app's RSA public key in PEM form "
                                  "(-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)") from None


class WixAdapter(Adapter):
    """Wix app webhooks (eCommerce orders, checkouts, carts; members; contacts)."""

    name = "wix"
    title = "Wix (app webhooks)"
    settings_schema = WixSettings
    signature_headers = ()  # the signature is the body itself
    content_types = None  # the body is a JWT; Wix documents no content type for it

    def verify(self, request: InboundRequest, source: Source) -> None:
        """The body's RS256 signature against the app's public key, and its expiry at arrival time."""
        verify_jwt(request.body, str(source.settings.get("public_key", "")), request.received_at)

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The canonical events of the webhook; [] for event types that are not customer actions."""
        return events_for(read_envelope(request.body, request.max_json_depth))

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """What the app's developer does in the Wix Dev Center."""
        return [
            "In the Wix Dev Center (dev.wix.com), open your app and go to Webhooks. The app needs the "
            "permissions Read Orders, Read Members and Read Contacts (Permissions page) for these events.",
            "Add a webhook for each of these events — eCommerce: Order Approved, Order Payment Status Updated, "
            "Order Canceled, Checkout Created, Cart Created; Members: Member Created; Contacts: Contact Created — "
            f"each with this callback URL: {webhook_url}",
            "On the same Webhooks page, click Get Public Key and give the whole key (-----BEGIN PUBLIC KEY----- "
            "to -----END PUBLIC KEY-----) to this source as its public_key setting.",
            "Install the app on the shop's site: Wix sends webhooks only for sites where the app is installed, "
            "and answers are due within 1.25 seconds (the gateway acknowledges right after storing).",
        ]


adapter = WixAdapter()
