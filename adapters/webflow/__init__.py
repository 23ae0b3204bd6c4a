"""Webflow: ecommerce order and form submission webhooks, signed with x-webflow-signature."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from adapters.base import Adapter, Event, InboundRequest, Source
from adapters.webflow.mapping import parse_body
from adapters.webflow.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_webflow

TRIGGER_TYPES = ("ecomm_new_order", "ecomm_order_changed", "form_submission")


class WebflowSettings(Schema):
    """Settings of a Webflow source."""

    secret = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "Key of x-webflow-signature: your Webflow app's OAuth client secret, or the secret "
                       "Webflow returned when the webhook was created",
        "example": "3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a"})
    site = fields.String(load_default=None, validate=validate.Length(min=1, max=200), metadata={
        "description": "Your Webflow site's name or ID, recorded as the shop of order events (Webflow's "
                       "order webhooks do not name their site)",
        "example": "65427cf400e02b306eaa049c"})


class WebflowAdapter(Adapter):
    """Webflow Data API webhooks: orders become Purchase and Refund, forms become Lead."""

    name = "webflow"
    title = "Webflow"
    settings_schema = WebflowSettings
    secret_settings = ("secret",)
    signature_headers = (TIMESTAMP_HEADER, SIGNATURE_HEADER)

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Check the hex HMAC-SHA256 of `timestamp:body` with the source's secret, sent at most 5 minutes ago."""
        verify_webflow(request, source.settings["secret"])

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The body's order or form submission as canonical events."""
        return parse_body(request.json(), source.settings.get("site"))

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """How a Webflow site owner registers the webhooks (signed ones exist only through the API)."""
        site = source.settings.get("site") or "<your site id>"
        return [
            "Webhooks added in the Webflow dashboard are not signed, and tagway refuses them: create them "
            "with the Webflow Data API instead, using the access token of your Webflow app (a Data Client "
            "app) with the sites:write, ecommerce:read and forms:read scopes.",
            f"For each trigger type {', '.join(TRIGGER_TYPES)}: send POST "
            f"https://api.webflow.com/v2/sites/{site}/webhooks with the JSON body "
            f'{{"triggerType": "<trigger type>", "url": "{webhook_url}"}}.',
            "Put your Webflow app's client secret into this source's `secret` setting (or, if the API "
            "answered with a `secret` for the webhook, that secret): Webflow signs every request with it.",
            "Optionally set `site` to your site's name or ID: Webflow's order webhooks do not say which "
            "site they come from, and tagway records it as the shop of each order event.",
        ]


adapter = WebflowAdapter()
