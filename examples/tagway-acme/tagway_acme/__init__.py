"""Acme Shop, a fictional platform: an example of a tagway adapter packaged on its own.

The payload format is defined by this example (README.md); the signature is a real, documented scheme: Standard
Webhooks (https://www.standardwebhooks.com/), checked by the SDK's `verify_standard_webhook`. Like every adapter
outside the repository, this one imports tagway's `adapters.sdk` and nothing else of tagway.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from adapters.sdk import (
    Adapter,
    Event,
    InboundRequest,
    SignatureInvalid,
    Source,
    derive_event_id,
    verify_standard_webhook,
)
from tagway_acme.order import MAX_ID, obj, purchase, text

SECRET_PREFIX = "whsec_"  # noqa: S105  (the prefix of every Standard Webhooks secret, not a secret)


class AcmeSettings(Schema):
    """Settings of an Acme Shop source."""

    secret = fields.String(required=True, metadata={
        "description": "The webhook endpoint's signing secret (whsec_ followed by base64), shown by Acme Shop."})

    @validates("secret")
    def _standard_webhooks_secret(self, value: str, **_: Any) -> None:
        # Refused at start-up rather than answering every webhook 401 later.
        try:
            valid = value.startswith(SECRET_PREFIX) and bool(base64.b64decode(value[len(SECRET_PREFIX):],
                                                                              validate=True))
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ValidationError("must be whsec_ followed by base64")


class AcmeAdapter(Adapter):
    """Acme Shop webhooks: `order.created` is a Purchase; `ping` and other types are acknowledged."""

    name = "acme"
    title = "Acme Shop (example adapter)"
    settings_schema = AcmeSettings
    secret_settings = ("secret",)
    signature_headers = ("webhook-id", "webhook-timestamp", "webhook-signature")

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Standard Webhooks signature with the source's secret, within 5 minutes of arrival."""
        secret = source.settings.get("secret")
        if not secret:
            raise SignatureInvalid("this source has no signing secret: set `secret` (whsec_...)")
        verify_standard_webhook(request, secret)

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """A Purchase for `order.created`; [] for a `ping` and for types that are no customer action."""
        payload = obj(request.json(), "body")
        kind = text(payload.get("type"), "type")
        if kind != "order.created":
            return []
        # Standard Webhooks' message id is the delivery id: a redelivery carries the same one.
        delivery = text(request.header("webhook-id"), "webhook-id", MAX_ID)
        shop = text(payload.get("shop"), "shop", MAX_ID)
        return [{"id": derive_event_id("acme", shop, delivery), **purchase(payload),
                 "source": {"topic": kind, "deliveryId": delivery, "shop": shop}}]

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """What a shop owner does in Acme Shop's admin."""
        return [
            f"In the Acme Shop admin, open Settings → Webhooks and add an endpoint with the URL {webhook_url}, "
            "subscribed to order.created.",
            f"Copy the endpoint's signing secret (whsec_...) into the `secret` setting of the source `{source.id}`.",
            "Click Send test ping: the gateway answers 200 and records no event.",
        ]


adapter = AcmeAdapter()
