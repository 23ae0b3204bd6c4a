"""BigCommerce's two ways of authenticating a webhook: Standard Webhooks signatures and a shared header.

Since 2025 BigCommerce signs webhooks per Standard Webhooks and tells receivers to pass
base64(client secret) to a Standard Webhooks library as its secret: the library base64-decodes
it again, so the HMAC key is the client secret's own bytes. Before that, the only protection
was a header (name and value) chosen when the webhook was created, which BigCommerce sends back
with every callback.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from adapters.base import InboundRequest, SignatureInvalid, same_secret
from adapters.standard_webhooks import HEADERS, verify_standard_webhook

SIGNATURE_HEADERS = HEADERS


def library_secret(client_secret: str) -> str:
    """The Standard Webhooks secret for a BigCommerce client secret: base64 of its UTF-8 bytes."""
    return base64.b64encode(client_secret.encode("utf-8")).decode("ascii")


def verify_shared_header(request: InboundRequest, name: str, value: str) -> None:
    """Check the header set when the webhook was created, in constant time."""
    given = request.header(name)
    if not given:
        raise SignatureInvalid(f"the {name} header set when the webhook was created is missing", header=name)
    if not same_secret(given, value):
        raise SignatureInvalid(f"the {name} header does not hold this source's header_value", header=name)


def verify(request: InboundRequest, settings: Mapping[str, Any]) -> None:
    """The shared header when one is configured; the signature when required or present.

    With only `client_secret`, the signature is required. With `header_value` too, the header is
    required and a signature, when the store sends one, must hold: stores that do not sign yet
    are then authenticated by the header alone, which is what protected them before.
    """
    client_secret = settings.get("client_secret")
    header_value = settings.get("header_value")
    if not client_secret and not header_value:
        raise SignatureInvalid("this source has neither client_secret nor header_value: set one in its "
                               "[[sources]] entry")
    if header_value:
        verify_shared_header(request, settings["header_name"], header_value)
    signed = any(request.header(name) for name in SIGNATURE_HEADERS)
    if client_secret and (signed or not header_value):
        # Standard Webhooks: `id.timestamp.body`, refused beyond 5 minutes from the arrival time.
        verify_standard_webhook(request, library_secret(client_secret))
