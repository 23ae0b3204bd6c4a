"""Acme Shop signs per Standard Webhooks with the endpoint's whsec_ secret (the key is its base64 part)."""

import base64

from adapters.testing import StandardWebhooksSigner

signer = StandardWebhooksSigner(lambda settings: base64.b64decode(settings["secret"].removeprefix("whsec_")))
