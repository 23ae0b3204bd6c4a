"""Squarespace signs the raw body: hex HMAC-SHA256 with the hex-decoded secret in Squarespace-Signature."""

import hashlib
import hmac

from adapters.testing import HeaderSigner

signer = HeaderSigner("Squarespace-Signature", lambda body, settings: hmac.new(
    bytes.fromhex(settings["secret"]), body, hashlib.sha256).hexdigest())
