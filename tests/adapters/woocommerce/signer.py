"""WooCommerce signs the raw body: base64 HMAC-SHA256 with the webhook's secret in X-WC-Webhook-Signature."""

from adapters.testing import HeaderSigner, b64_hmac

signer = HeaderSigner("x-wc-webhook-signature", lambda body, settings: b64_hmac(settings["secret"].encode(), body))
