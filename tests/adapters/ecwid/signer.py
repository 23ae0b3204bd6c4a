"""Ecwid signs two fields of the body: base64 HMAC-SHA256 of `eventCreated.eventId` with the client secret."""

import json
from typing import Any

from adapters.testing import Signer, b64_hmac


class EcwidSigner(Signer):
    """The signature of the fields read from the (mutated) body; a body without them keeps its headers."""

    def sign(self, body: bytes, headers: dict[str, str],
             settings: dict[str, Any]) -> tuple[bytes, dict[str, str]] | None:
        """X-Ecwid-Webhook-Signature of the body's eventCreated and eventId."""
        try:
            payload = json.loads(body)
            message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
        except (ValueError, TypeError, KeyError):
            return body, headers
        return body, {**headers, "X-Ecwid-Webhook-Signature": b64_hmac(settings["client_secret"].encode(), message)}


signer = EcwidSigner()
