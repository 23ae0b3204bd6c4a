"""BigCommerce webhooks: orders, refunds, cart items, abandoned carts, sign-ups and subscribers."""

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
from adapters.bigcommerce import enrichment, signature
from adapters.bigcommerce.mapping import SCOPES
from adapters.bigcommerce.payload import opt_ident, unix_time
from adapters.bigcommerce.settings import BigCommerceSettings
from adapters.fields import obj, provider_source, text

PRODUCER_PREFIX = "stores/"


class BigCommerceAdapter(Adapter):
    """BigCommerce webhooks (thin payloads: scope, ids, hash), completed from the REST API."""

    name = "bigcommerce"
    title = "BigCommerce"
    settings_schema = BigCommerceSettings
    secret_settings = ("client_secret", "header_value", "access_token")
    signature_headers = signature.SIGNATURE_HEADERS

    def verify(self, request: InboundRequest, source: Source) -> None:
        """Standard Webhooks signature with the client secret, and/or the shared custom header."""
        signature.verify(request, source.settings)

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """One event for a scope that is a customer action; [] for every other scope."""
        payload = obj(request.json(), "body")
        scope = text(payload.get("scope"), "scope")
        if not scope:
            raise PayloadInvalid("scope", payload.get("scope"),
                                 "the webhook's scope, e.g. store/order/created (BigCommerce sends it in every body)")
        mapper = SCOPES.get(scope)
        if mapper is None:
            return []
        shop = _shop(payload, source)
        event = mapper(obj(payload.get("data"), "data"))
        if event is None:
            return []
        return [_identified(event, payload, scope, shop)]

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """A store API account, then one webhook per scope created through the API."""
        header = source.settings.get("header_name") or "X-Api-Key"
        scopes = ", ".join(SCOPES)
        return [
            "In the BigCommerce control panel open Settings → Store-level API accounts and click Create API "
            "account (token type V2/V3 API token) with the OAuth scopes Orders: read-only, Carts: read-only and "
            "Customers: read-only. Save it, then copy the Access token and the Client secret it shows once, and "
            "the store hash from its API path https://api.bigcommerce.com/stores/<store_hash>/v3/.",
            f"Put the Client secret into the `client_secret` setting of the source {source.id!r}, and the store "
            "hash and the Access token into `store_hash` and `access_token` (with them the gateway fetches the "
            "orders and carts the webhooks only name).",
            f"Choose a long random value for the webhooks' {header} header (for example the output of "
            "`openssl rand -hex 24`) and put it into `header_value`: BigCommerce sends it back with every "
            "webhook, which authenticates the webhooks of stores that do not sign them yet.",
            f"Create the webhooks with the Access token: for each of the scopes {scopes}, send POST "
            "https://api.bigcommerce.com/stores/<store_hash>/v3/hooks with the headers X-Auth-Token: <Access "
            "token>, Content-Type: application/json and Accept: application/json, and the body "
            f'{{"scope": "<scope>", "destination": "{webhook_url}", "is_active": true, '
            f'"headers": {{"{header}": "<header_value>"}}}}.',
            "New webhooks deliver within a minute. BigCommerce deactivates a webhook whose deliveries fail for "
            '48 hours; turn it back on with PUT https://api.bigcommerce.com/stores/<store_hash>/v3/hooks/<id> '
            'and the body {"is_active": true}.',
        ]

    def enrichment_request(self, event: Event, source: Source) -> ApiRequest | None:
        """GET the order, its products or the cart, when the source has store_hash and access_token."""
        return enrichment.enrichment_request(event, source)

    def enrich(self, event: Event, source: Source, response: ApiResponse) -> Event:
        """Value, currency, items and customer from the API's answer; OrderPlaced → Purchase, → AddToCart."""
        return enrichment.enrich(event, source, response)


def _shop(payload: dict[str, Any], source: Source) -> str | None:
    """The store hash from `producer` (stores/<store_hash>), or the numeric store_id without one."""
    producer = text(payload.get("producer"), "producer")
    store_hash = source.settings.get("store_hash")
    if store_hash and producer != PRODUCER_PREFIX + store_hash:
        # The enrichment's API calls go to `store_hash`: a webhook of another store would be
        # completed with that store's order of the same number.
        raise PayloadInvalid("producer", producer, f"stores/{store_hash}, the store of this source (store_hash)")
    if producer:
        return producer.removeprefix(PRODUCER_PREFIX)
    return opt_ident(payload.get("store_id"), "store_id")


def _identified(event: Event, payload: dict[str, Any], scope: str, shop: str | None) -> Event:
    """The event with an id derived from the payload hash, the time it happened, and its source fields."""
    digest = text(payload.get("hash"), "hash")
    if not digest:
        raise PayloadInvalid("hash", payload.get("hash"),
                             "the SHA-1 hash BigCommerce puts in every body, which makes redeliveries recognisable")
    # Every redelivery of one event carries the same hash; it is computed from `data`, which two
    # scopes may share (order/created and order/updated), hence the scope in the key.
    identified: Event = {"id": derive_event_id("bigcommerce", shop or "", scope, digest), **event,
                         "source": provider_source(scope, digest, shop)}
    if payload.get("created_at") is not None:
        identified["occurredAt"] = unix_time(payload["created_at"], "created_at")
    return identified


adapter = BigCommerceAdapter()
