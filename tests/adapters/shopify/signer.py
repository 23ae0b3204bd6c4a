"""Shopify signs the raw body: base64 HMAC-SHA256 with the app's secret in X-Shopify-Hmac-Sha256."""

from adapters.testing import HeaderSigner, b64_hmac

signer = HeaderSigner("X-Shopify-Hmac-Sha256", lambda body, settings: b64_hmac(settings["secret"].encode(), body))
