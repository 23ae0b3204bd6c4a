"""Squarespace signatures: hex HMAC-SHA256 of the raw body, keyed with the hex-DECODED secret.

Squarespace publishes no test vector; the documented procedure is the reference:
`createHmac('sha256', Buffer.from(secret, 'hex')).update(body).digest('hex')`, or
`openssl dgst -sha256 -mac HMAC -macopt hexkey:$SECRET`. The fixture cases were signed with that
openssl command; VECTOR below is its output for the docs' order.create example and the secret of
the docs' rotate-secret example.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, SignatureInvalid, Source
from adapters.squarespace import adapter
from adapters.squarespace.settings import SquarespaceSettings

SECRET = "F3F9B981C78E7A6187E42853F6CE2804177E98206164779423B02DEC981ACD6B"
BODY = (Path(__file__).parent / "samples" / "order_create__docs_example.json").read_bytes()
VECTOR = "eb701ab104f27a545f43638636bc8cd3a1f3f5dc25a78515a101a8eec503c6d0"
SOURCE = Source("sq", "squarespace", {"secret": SECRET})


def request(signature: str | None, body: bytes = BODY) -> InboundRequest:
    headers = {"User-Agent": "Squarespace/1.0", "Content-Type": "application/json"}
    if signature is not None:
        headers["Squarespace-Signature"] = signature
    return InboundRequest("POST", "/v1/webhooks/sq", Headers(headers), body)


def test_the_openssl_signature_of_the_docs_example_verifies() -> None:
    adapter.verify(request(VECTOR), SOURCE)


def test_the_key_is_the_hex_decoded_secret() -> None:
    """Node's Buffer.from(secret, 'hex'): the same digest as openssl's hexkey."""
    assert hmac.new(bytes.fromhex(SECRET), BODY, hashlib.sha256).hexdigest() == VECTOR


def test_upper_case_hex_verifies_too() -> None:
    adapter.verify(request(VECTOR.upper()), SOURCE)


@pytest.mark.parametrize("signature, body, reason", [
    # The mistake the docs warn about: the secret's characters as the key.
    (hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(), BODY, "is not the HMAC-SHA256"),
    (VECTOR, BODY + b" ", "is not the HMAC-SHA256"),
    (VECTOR[:-1], BODY, "is not the HMAC-SHA256"),
    ("", BODY, "missing"),
    (None, BODY, "missing"),
])
def test_anything_else_is_refused(signature: str | None, body: bytes, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        adapter.verify(request(signature, body), SOURCE)


def test_a_source_without_a_secret_refuses_everything() -> None:
    with pytest.raises(SignatureInvalid, match="no `secret`"):
        adapter.verify(request(VECTOR), Source("sq", "squarespace", {}))


@pytest.mark.parametrize("settings", [{}, {"secret": "ABZ0"}, {"secret": "ABC"}, {"secret": SECRET + "\n"},
                                      {"secret": SECRET, "api_key": ""}])
def test_settings_that_cannot_work_are_refused_at_start_up(settings: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        SquarespaceSettings().load(settings)


def test_every_setting_says_what_it_is_for() -> None:
    for name, field in SquarespaceSettings().fields.items():
        assert field.metadata.get("description") and field.metadata.get("example"), name
