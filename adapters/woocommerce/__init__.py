"""WooCommerce webhooks: orders (by status) and new customers as canonical events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from adapters.base import Adapter, Event, InboundRequest, PayloadInvalid, Reply, Source, derive_event_id
from adapters.fields import obj, provider_source
from adapters.woocommerce.mapping import TOPICS, Keyed
from adapters.woocommerce.signature import SIGNATURE_HEADER, is_ping, verify_signature

PING_REPLY = Reply(200, b"webhook ping acknowledged")


class WooCommerceSettings(Schema):
    """Settings of a WooCommerce source."""

    secret = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "The Secret of the webhooks (WooCommerce → Settings → Advanced → Webhooks), as the form "
                       "shows it after saving; all webhooks of this source use the same one.",
        "example": "k7#Qz&v2!pL9@wX4"})


class WooCommerceAdapter(Adapter):
    """WooCommerce webhooks (X-WC-Webhook-* headers), and the unsigned ping sent when one is saved."""

    name = "woocommerce"
    title = "WooCommerce"
    settings_schema = WooCommerceSettings
    secret_settings = ("secret",)
    signature_headers = (SIGNATURE_HEADER,)
    # Deliveries are JSON; the ping on saving a webhook is a form-encoded string (WordPress's HTTP API default).
    content_types = ("application/json", "application/x-www-form-urlencoded")

    def respond(self, request: InboundRequest, source: Source) -> Reply | None:
        """Answer the ping (`webhook_id=<N>`, unsigned) with exactly 200, or WooCommerce reports an error."""
        return PING_REPLY if is_ping(request) else None

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Base64 HMAC-SHA256 of the raw body with the webhook's secret (HTML entities decoded as WordPress does)."""
        verify_signature(request, source.settings["secret"])

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The events of an order's state or a new customer; [] for every other topic."""
        topic = request.header("X-WC-Webhook-Topic")
        if not topic:
            raise PayloadInvalid("X-WC-Webhook-Topic", None,
                                 "the webhook's topic, e.g. order.updated (WooCommerce sends it with every webhook)")
        mapper = TOPICS.get(topic)
        if mapper is None:
            return []
        found = mapper(obj(request.json(), "body"))
        return [_identified(keyed, request, topic) for keyed in found]

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """One webhook per topic in the WooCommerce admin, all with the same secret."""
        return [
            "In WordPress, open WooCommerce → Settings → Advanced → Webhooks and click Add webhook.",
            f"Fill in: Name \"tagway orders\", Status Active, Topic Order created, Delivery URL {webhook_url}, "
            f"API Version WP REST API Integration v3, and leave Secret empty. Click Save webhook: WooCommerce "
            f"generates a secret and sends a ping, which the gateway answers with 200.",
            f"Copy the Secret now shown in the form into the `secret` setting of the source `{source.id}`.",
            "Add two more webhooks the same way, with Topic Order updated and with Topic Customer created, "
            "pasting that same Secret into their Secret field.",
        ]


def _identified(keyed: Keyed, request: InboundRequest, topic: str) -> Event:
    """The event with an id derived from the site and the resource's state, and the delivery it came in."""
    site = request.header("X-WC-Webhook-Source")
    delivery = request.header("X-WC-Webhook-Delivery-ID")
    return {"id": derive_event_id("woocommerce", site or "", *keyed.key), **keyed.event,
            "source": provider_source(topic, delivery, site)}


adapter = WooCommerceAdapter()
