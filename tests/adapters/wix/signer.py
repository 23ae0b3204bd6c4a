"""Wix signs the body, a JWT, with the app's private key (RS256); the test makes its own key pair.

The JWT's `data` claim is a JSON string of the envelope, whose `data` is a JSON string of the event: the mutations
change one JSON document holding the token's claims, envelope and event, which is encoded and signed again.
"""

import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.testing import Signer


class WixSigner(Signer):
    """Signs with a fresh key pair whose public key the source is given."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.source_settings = {"public_key": public_pem}

    def start(self, body: bytes) -> bytes:
        """The original token's parts as one JSON document to mutate."""
        claims = jwt.decode(body.strip(), options={"verify_signature": False})
        envelope = json.loads(claims.pop("data"))
        event = envelope.pop("data")
        return json.dumps({"claims": claims, "envelope": envelope,
                           "event": json.loads(event) if isinstance(event, str) else event}).encode()

    def sign(self, body: bytes, headers: dict[str, str],
             settings: dict[str, Any]) -> tuple[bytes, dict[str, str]] | None:
        """A signed token of the (mutated) document; whatever is not an object is signed as it is."""
        try:
            document = json.loads(body)
        except ValueError:
            return None
        if not isinstance(document, dict):
            return jwt.encode({"data": json.dumps(document)}, self.private_key, algorithm="RS256").encode(), headers
        claims = document.get("claims") if isinstance(document.get("claims"), dict) else {}
        envelope = document.get("envelope") if isinstance(document.get("envelope"), dict) else {}
        if "event" in document:
            envelope = {**envelope, "data": json.dumps(document["event"])}
        token = jwt.encode({**claims, "data": json.dumps(envelope)}, self.private_key, algorithm="RS256")
        return token.encode(), headers

    def unsigned(self, mutated: bytes, original: bytes) -> bytes:
        """An unsigned mutation: the original token cut to the mutation's length."""
        return original[:len(mutated)]


signer = WixSigner()
