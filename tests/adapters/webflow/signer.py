"""Webflow signs `timestamp:body`: hex HMAC-SHA256 with the secret in x-webflow-signature."""

import hashlib
import hmac
from typing import Any

from adapters.testing import Signer


class WebflowSigner(Signer):
    """The timestamp header's value and the body, signed together."""

    def sign(self, body: bytes, headers: dict[str, str],
             settings: dict[str, Any]) -> tuple[bytes, dict[str, str]] | None:
        """x-webflow-signature of the request's timestamp and body."""
        lower = {k.lower(): k for k in headers}
        timestamp = headers.get(lower.get("x-webflow-timestamp", ""), "0")
        digest = hmac.new(settings["secret"].encode(), f"{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
        return body, {**headers, lower.get("x-webflow-signature", "x-webflow-signature"): digest}


signer = WebflowSigner()
