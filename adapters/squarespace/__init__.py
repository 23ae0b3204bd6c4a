"""Squarespace webhooks: orders placed, refunded and cancelled, completed from the Orders API."""

from __future__ import annotations

from typing import Any

from adapters.base import (
    Adapter,
    ApiRequest,
    ApiResponse,
    Event,
    InboundRequest,
    PayloadInvalid,
    Source,
    derive_event_id,
)
from adapters.fields import obj, provider_source, rfc3339_time, text
from adapters.squarespace import enrichment, signature
from adapters.squarespace.mapping import TOPICS
from adapters.squarespace.payload import ident
from adapters.squarespace.settings import SquarespaceSettings

SUBSCRIPTIONS = "https://api.squarespace.com/1.0/webhook_subscriptions"


class SquarespaceAdapter(Adapter):
    """Squarespace webhook notifications (Squarespace-Signature), thin payloads with the order id."""

    name = "squarespace"
    title = "Squarespace"
    settings_schema = SquarespaceSettings
    secret_settings = ("secret", "api_key")
    signature_headers = (signature.HEADER,)

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Hex HMAC-SHA256 of the raw body, keyed with the hex-decoded subscription secret."""
        signature.verify(request, source.settings.get("secret"))

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """One event for a topic that is a customer action; [] for every other topic."""
        payload = obj(request.json(), "body")
        topic = text(payload.get("topic"), "topic")
        if not topic:
            raise PayloadInvalid("topic", payload.get("topic"),
                                 "the notification's topic, e.g. order.create (Squarespace sends it in every body)")
        mapper = TOPICS.get(topic)
        if mapper is None:
            return []
        event = mapper(obj(payload.get("data"), "data"))
        if event is None:
            return []
        return [_identified(event, payload, topic)]

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """A webhook subscription made through the API (an extension's OAuth token), and an optional API key."""
        return [
            "Squarespace sends webhooks only to subscriptions made through its Webhook Subscriptions API, "
            "with the OAuth access token of a Squarespace extension that may read orders (API keys cannot "
            "create subscriptions).",
            f"Create the subscription: POST {SUBSCRIPTIONS} with the headers Authorization: Bearer <OAuth "
            "token>, User-Agent: <your extension's name> and Content-Type: application/json, and the body "
            f'{{"endpointUrl": "{webhook_url}", "topics": ["order.create", "order.update"]}}.',
            "Copy the `secret` of the answer (hexadecimal, shown only this once) into the `secret` setting of "
            f"the source {source.id!r}. If it is lost, POST {SUBSCRIPTIONS}/<subscription id>/actions/"
            "rotateSecret returns a new one.",
            "Optional, for order totals, items and customers: in the site's Settings open Developer Tools → "
            "Developer API Keys, click Generate Key, give it the Orders permission Read Only, and put the key "
            "into `api_key` (the extension's OAuth token works too).",
            f"Test it: POST {SUBSCRIPTIONS}/<subscription id>/actions/sendTestNotification with the body "
            '{"topic": "order.create"}; the answer {"statusCode": 200} means the gateway accepted it.',
        ]

    def enrichment_request(self, event: Event, source: Source) -> ApiRequest | None:
        """GET the order, when the source has an API key."""
        return enrichment.enrichment_request(event, source)

    def enrich(self, event: Event, source: Source, response: ApiResponse) -> Event:
        """Value, currency, items and customer from the order; OrderPlaced → Purchase."""
        return enrichment.enrich(event, source, response)


def _identified(event: Event, payload: dict[str, Any], topic: str) -> Event:
    """The event with an id derived from the notification id, the time it happened, and its source fields."""
    # The docs name the notification id `id`; a third-party schema calls it `notificationId`.
    key = "id" if payload.get("id") is not None else "notificationId"
    notification = ident(payload.get(key), key)
    website = text(payload.get("websiteId"), "websiteId")
    identified: Event = {"id": derive_event_id("squarespace", website or "", notification), **event,
                         "source": provider_source(topic, notification, website)}
    if payload.get("createdOn") is not None:
        # Squarespace's docs show createdOn without seconds ("2020-04-22T22:18+00:00",
        # developers.squarespace.com/webhooks/events/order-create): read it as they write it.
        identified["occurredAt"] = rfc3339_time(payload["createdOn"], "createdOn", allow_missing_seconds=True)
    return identified


adapter = SquarespaceAdapter()
