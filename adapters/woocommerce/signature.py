"""WooCommerce's webhook signature and ping.

`X-WC-Webhook-Signature` = base64 of HMAC-SHA256 of the raw body, keyed with the webhook's secret
after `wp_specialchars_decode($secret, ENT_QUOTES)` (WC_Webhook::generate_signature in
woocommerce/woocommerce `plugins/woocommerce/includes/class-wc-webhook.php`).
"""

from __future__ import annotations

import base64
import re

from adapters.base import InboundRequest, SignatureInvalid, hmac_sha256, same_secret

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
_PING = re.compile(rb"webhook_id=[0-9]+")

# wp_specialchars_decode() with ENT_QUOTES, as WordPress writes it: zero-padded numeric entities
# are first reduced to one spelling, then a fixed table is applied in one pass (PHP's strtr:
# longest match first, replaced text is not scanned again). Nothing else is decoded.
_PADDED = (
    (re.compile(r"&#0*39;"), "&#039;"), (re.compile(r"&#x0*27;", re.IGNORECASE), "&#x27;"),
    (re.compile(r"&#0*34;"), "&#034;"), (re.compile(r"&#x0*22;", re.IGNORECASE), "&#x22;"),
    (re.compile(r"&#0*60;"), "&#060;"), (re.compile(r"&#0*62;"), "&#062;"),
    (re.compile(r"&#0*38;"), "&#038;"), (re.compile(r"&#x0*26;", re.IGNORECASE), "&#x26;"),
)
_ENTITIES = {
    "&#039;": "'", "&#x27;": "'",
    "&quot;": '"', "&#034;": '"', "&#x22;": '"',
    "&lt;": "<", "&#060;": "<", "&gt;": ">", "&#062;": ">",
    "&amp;": "&", "&#038;": "&", "&#x26;": "&",
}
_ENTITY = re.compile("|".join(re.escape(e) for e in sorted(_ENTITIES, key=len, reverse=True)))


def wp_specialchars_decode(text: str) -> str:
    """WordPress's `wp_specialchars_decode($text, ENT_QUOTES)`: the secret as WooCommerce signs with it."""
    if "&" not in text:
        return text
    for pattern, spelling in _PADDED:
        text = pattern.sub(spelling, text)
    return _ENTITY.sub(lambda match: _ENTITIES[match.group(0)], text)


def body_signature(secret: str, body: bytes) -> str:
    """The signature WooCommerce sends for `body` under the webhook's `secret`."""
    key = wp_specialchars_decode(secret).encode("utf-8")
    return base64.b64encode(hmac_sha256(key, body)).decode("ascii")


def verify_signature(request: InboundRequest, secret: str) -> None:
    """Accept the request when `X-WC-Webhook-Signature` matches the body under `secret`."""
    given = request.header(SIGNATURE_HEADER)
    if not given:
        raise SignatureInvalid(f"the {SIGNATURE_HEADER} header is missing", header=SIGNATURE_HEADER)
    if not same_secret(given.strip(), body_signature(secret, request.body)):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} does not match the body signed with this source's secret (the "
                               "Secret of the webhook in WooCommerce → Settings → Advanced → Webhooks)",
                               header=SIGNATURE_HEADER)


def is_ping(request: InboundRequest) -> bool:
    """WooCommerce's test delivery when a webhook is saved: an unsigned form post `webhook_id=<N>`."""
    return request.header(SIGNATURE_HEADER) is None and _PING.fullmatch(request.body.strip()) is not None
