"""Shopify webhooks: orders, refunds, checkouts, carts and new customers as canonical events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from adapters.base import Adapter, Event, InboundRequest, PayloadInvalid, Source, derive_event_id
from adapters.fields import obj, provider_source
from adapters.shopify.mapping import TOPICS
from adapters.shopify.signature import HMAC_HEADERS, header, verify_signature

# The events' names in the admin's Create webhook form (UNCONFIRMED wording, see README.md), with their topics.
ADMIN_EVENTS = ("Order creation (orders/create), Order payment (orders/paid), Order cancellation (orders/cancelled), "
                "Refund create (refunds/create), Checkout creation (checkouts/create), Checkout update "
                "(checkouts/update), Cart creation (carts/create), Cart update (carts/update), Customer creation "
                "(customers/create)")


class ShopifySettings(Schema):
    """Settings of a Shopify source."""

    secret = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "The key Shopify signs webhooks with: the app's client secret, or for webhooks made in "
                       "the Shopify admin the key shown under Settings → Notifications → Webhooks.",
        "example": "shpss_0123456789abcdef0123456789abcdef"})
    previous_secret = fields.String(load_default=None, allow_none=True, metadata={
        "description": "The client secret before a rotation: Shopify may sign with it for up to an hour after "
                       "the change. Remove it afterwards.",
        "example": "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"})


class ShopifyAdapter(Adapter):
    """Shopify webhooks (X-Shopify-* headers, or the Events API's shopify-* headers)."""

    name = "shopify"
    title = "Shopify"
    settings_schema = ShopifySettings
    secret_settings = ("secret", "previous_secret")
    signature_headers = HMAC_HEADERS

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Base64 HMAC-SHA256 of the raw body with the secret (or, during a rotation, the previous one)."""
        secrets = [source.settings[key] for key in ("secret", "previous_secret") if source.settings.get(key)]
        verify_signature(request, secrets)

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """One event for a topic that is a customer action; [] for every other topic."""
        topic = header(request, "Topic")
        if not topic:
            raise PayloadInvalid("X-Shopify-Topic", None,
                                 "the webhook's topic, e.g. orders/create (Shopify sends it with every webhook)")
        mapper = TOPICS.get(topic)
        if mapper is None:
            return []
        payload = obj(request.json(), "body")
        event = mapper(payload)
        if event is None:
            return []
        return [_identified(event, request, topic)]

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """Webhooks made in the Shopify admin, or subscribed by an app."""
        topics = ", ".join(TOPICS)
        return [
            "In the Shopify admin, open Settings → Notifications → Webhooks.",
            f"Click Create webhook once for each of these events: {ADMIN_EVENTS}. Each time choose Format "
            f"JSON, paste the URL {webhook_url}, choose the latest API version and Save.",
            f"Copy the key shown on the same page, below the list of webhooks (\"Your webhooks will be signed "
            f"with ...\"), into the `secret` setting of the source `{source.id}`.",
            f"Or, from a Shopify app: subscribe the topics {topics} to {webhook_url} and put the app's client "
            f"secret in `secret`. When you rotate the client secret, put the old one in `previous_secret` for an "
            f"hour: Shopify signs with it for up to an hour after the change.",
        ]


def _identified(event: Event, request: InboundRequest, topic: str) -> Event:
    """The event with an id derived from Shopify's event id, and the provider's topic, delivery and shop."""
    event_id = header(request, "Event-Id")
    webhook_id = header(request, "Webhook-Id")
    if not (event_id or webhook_id):
        raise PayloadInvalid("X-Shopify-Webhook-Id", None,
                             "the delivery id Shopify sends with every webhook (X-Shopify-Event-Id or "
                             "X-Shopify-Webhook-Id), which makes redeliveries recognisable")
    shop = header(request, "Shop-Domain")
    # One merchant action (the event id) can reach several subscriptions; the topic keeps the
    # different events of one action (orders/create and orders/paid) apart.
    return {"id": derive_event_id("shopify", shop or "", topic, event_id or webhook_id), **event,
            "source": provider_source(topic, str(webhook_id or event_id), shop)}


adapter = ShopifyAdapter()
