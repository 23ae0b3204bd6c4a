"""Canonical webhooks are signed per Standard Webhooks with the source's whsec_ secret."""

import base64

from adapters.testing import StandardWebhooksSigner

signer = StandardWebhooksSigner(lambda settings: base64.b64decode(settings["secret"].removeprefix("whsec_")))
