"""BigCommerce signs per Standard Webhooks with the app's client secret (its own bytes, not base64-decoded)."""

from adapters.testing import StandardWebhooksSigner

signer = StandardWebhooksSigner(
    lambda settings: settings["client_secret"].encode() if settings.get("client_secret") else None)
