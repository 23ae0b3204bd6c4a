"""Ecwid (Lightspeed E-Series): order and customer webhooks, completed from the REST API when possible."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from adapters.base import Adapter, ApiRequest, ApiResponse, Event, InboundRequest, Source
from adapters.ecwid.enrichment import enrich_order, order_request
from adapters.ecwid.mapping import HANDLERS, parse_body
from adapters.ecwid.signature import SIGNATURE_HEADER, verify_ecwid
from adapters.fields import currency as read_currency
from adapters.fields import setting_validator


class EcwidSettings(Schema):
    """Settings of an Ecwid source."""

    client_secret = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "Your Ecwid app's client_secret: the key of X-Ecwid-Webhook-Signature "
                       "(not the secret_... access token)",
        "example": "Qx8Vb2mN4kLp7RtY1wZ3aC5eG9hJ0sUd"})
    store_id = fields.Integer(load_default=None, strict=False, validate=validate.Range(min=1), metadata={
        "description": "Your Ecwid store ID: with `token`, order events are completed from the REST API",
        "example": 1003})
    token = fields.String(load_default=None, validate=validate.Length(min=1), metadata={
        "description": "Access token of your Ecwid app for this store (secret_...), with the read_orders scope",
        "example": "secret_4T8b2Xq9LmN3pR7vW1yZ5cE6gJ0kH2sD"})
    currency = fields.String(load_default=None, validate=setting_validator(read_currency), metadata={
        "description": "Your store's currency (ISO 4217): Ecwid orders state amounts without it",
        "example": "USD"})

    @validates_schema
    def _credentials_together(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("store_id") is None) != (data.get("token") is None):
            raise ValidationError("store_id and token go together: set both to complete order events "
                                  "from the Ecwid REST API, or neither")


class EcwidAdapter(Adapter):
    """Ecwid webhooks: placed, paid, refunded and cancelled orders, abandoned checkouts, sign-ups."""

    name = "ecwid"
    title = "Ecwid (Lightspeed E-Series)"
    settings_schema = EcwidSettings
    secret_settings = ("client_secret", "token")
    signature_headers = (SIGNATURE_HEADER,)
    signs_body = False
    """The signature covers the body's eventCreated and eventId only, not the body (README, "Signature")."""

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Check the base64 HMAC-SHA256 of `eventCreated.eventId` and the age of eventCreated."""
        verify_ecwid(request, source.settings["client_secret"])

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The event the webhook's ids and statuses make (enrichment adds the order's contents)."""
        return parse_body(request.json())

    def enrichment_request(self, event: Event, source: Source) -> ApiRequest | None:
        """GET the order of an order event, when the source has the store's API token."""
        return order_request(event, source.settings)

    def enrich(self, event: Event, source: Source, response: ApiResponse) -> Event:
        """The order's items, customer and value merged into the event (a placed order becomes a Purchase)."""
        return enrich_order(event, source.settings, response)

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """How a store owner points their Ecwid app's webhooks at the gateway."""
        return [
            "Use a custom Ecwid app of your store (create one from the Apps section of your Ecwid admin, "
            "see docs.ecwid.com, \"Build apps\") with the read_orders access scope, and read_customers "
            "for sign-ups.",
            f"Ask Ecwid to update the app (a request for application update, as docs.ecwid.com \"Set up "
            f"webhooks for your app\" describes) with the webhookUrl {webhook_url} and the webhook events "
            f"{', '.join(HANDLERS)}.",
            "Copy the app's client_secret into this source's `client_secret` setting: Ecwid signs each "
            "webhook's eventCreated and eventId with it (it is not the secret_... access token).",
            "Optionally, to complete order events with the order's total, items and customer, set "
            "`store_id` (your store ID), `token` (the app's secret_... access token) and `currency` "
            "(your store's currency, e.g. USD).",
        ]


adapter = EcwidAdapter()
