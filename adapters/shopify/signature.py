"""Shopify's webhook signature: base64 HMAC-SHA256 of the raw body, keyed with the client secret.

Shopify sends its headers in two families: `X-Shopify-*` for webhook subscriptions and the
lower-case, un-prefixed `shopify-*` of the Events API (`ShopifyHeader` / `ShopifyEventsHeader`
in Shopify/shopify-app-js `packages/apps/shopify-api/lib/types.ts`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from adapters.base import InboundRequest, SignatureInvalid, hmac_sha256, same_secret

HMAC_HEADERS = ("X-Shopify-Hmac-Sha256", "shopify-hmac-sha256")


def header(request: InboundRequest, name: str) -> str | None:
    """A Shopify header by its suffix (`Topic`, `Shop-Domain`, ...) in either family."""
    return request.header(f"X-Shopify-{name}") or request.header(f"shopify-{name}")


def body_signature(secret: str, body: bytes) -> str:
    """The signature Shopify sends for `body`: base64 of its HMAC-SHA256 under `secret`."""
    return base64.b64encode(hmac_sha256(secret.encode("utf-8"), body)).decode("ascii")


def verify_signature(request: InboundRequest, secrets: Iterable[str]) -> None:
    """Accept the request when its HMAC header matches the body under one of `secrets`."""
    given = header(request, "Hmac-Sha256")
    if not given:
        raise SignatureInvalid("the X-Shopify-Hmac-Sha256 header is missing", header=HMAC_HEADERS[0])
    # Compare with every secret, without stopping early, so that timing tells nothing about which one matched.
    matches = [same_secret(given.strip(), body_signature(secret, request.body)) for secret in secrets]
    if not any(matches):
        raise SignatureInvalid("X-Shopify-Hmac-Sha256 does not match the body signed with this source's secret "
                               "(the app's client secret, or the key shown under Settings → Notifications → "
                               "Webhooks for webhooks made in the Shopify admin)", header=HMAC_HEADERS[0])
