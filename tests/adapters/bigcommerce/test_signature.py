"""BigCommerce authentication: Standard Webhooks signatures (the official vector) and the shared header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, SignatureInvalid, Source
from adapters.bigcommerce import adapter
from adapters.bigcommerce.settings import BigCommerceSettings
from adapters.bigcommerce.signature import library_secret
from adapters.standard_webhooks import verify_standard_webhook

VECTOR = json.loads((Path(__file__).parent / "samples" / "standard_webhooks_test_vector.json").read_text())
SENT = datetime.fromtimestamp(int(VECTOR["webhook-timestamp"]), UTC)
BODY = VECTOR["raw_body"].encode()
CLIENT_SECRET = "tagway-test-client-secret-5d1f0c9a"
HEADER_VALUE = "kq3vX9o2mT7bLrN4pW8sYc1dF6hJ0aZe"


def signed_by(key: bytes, body: bytes = BODY) -> str:
    """The webhook-signature BigCommerce sends, computed here from the specification (not by the adapter)."""
    content = f"{VECTOR['webhook-id']}.{VECTOR['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def request(signature: str | None, *, at: datetime = SENT, body: bytes = BODY,
            extra: dict[str, str] | None = None) -> InboundRequest:
    headers = {"Content-Type": "application/json", **(extra or {})}
    if signature is not None:
        headers.update({"webhook-id": VECTOR["webhook-id"], "webhook-timestamp": VECTOR["webhook-timestamp"],
                        "webhook-signature": signature})
    return InboundRequest(method="POST", path="/v1/webhooks/bc", headers=Headers(headers), body=body, received_at=at)


def source(**settings: str) -> Source:
    return Source("bc", "bigcommerce", BigCommerceSettings().load(settings))


def test_the_official_vector_verifies() -> None:
    """The Standard Webhooks vector, through the library call the adapter makes."""
    verified = verify_standard_webhook(request(VECTOR["expected_webhook-signature"]), VECTOR["secret"])
    assert verified == VECTOR["webhook-id"]


def test_the_vector_key_is_the_base64_decoded_library_secret() -> None:
    """The vector's note: the HMAC key is the base64-decoded library secret, i.e. the client secret's bytes."""
    key = base64.b64decode(VECTOR["secret"].removeprefix("whsec_"))
    assert signed_by(key) == VECTOR["expected_webhook-signature"]


def test_the_library_secret_is_base64_of_the_client_secret() -> None:
    """As BigCommerce's docs do it: base64.b64encode(client_secret.encode()).decode()."""
    assert library_secret(CLIENT_SECRET) == base64.b64encode(CLIENT_SECRET.encode()).decode()


def test_a_webhook_signed_with_the_client_secret_verifies() -> None:
    adapter.verify(request(signed_by(CLIENT_SECRET.encode())), source(client_secret=CLIENT_SECRET))


@pytest.mark.parametrize("signature, at, body, reason", [
    (signed_by(b"another-client-secret"), SENT, BODY, "no v1 signature"),
    (signed_by(CLIENT_SECRET.encode()), SENT, b'{"test": 2432232315}', "no v1 signature"),
    (signed_by(CLIENT_SECRET.encode()), SENT + timedelta(minutes=6), BODY, "more than 5 minutes"),
    (signed_by(CLIENT_SECRET.encode()), SENT - timedelta(minutes=6), BODY, "more than 5 minutes"),
    (None, SENT, BODY, "header is missing"),
])
def test_a_wrong_stale_or_missing_signature_is_refused(signature: str | None, at: datetime, body: bytes,
                                                       reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        adapter.verify(request(signature, at=at, body=body), source(client_secret=CLIENT_SECRET))


def test_a_store_that_does_not_sign_is_authenticated_by_the_shared_header() -> None:
    adapter.verify(request(None, extra={"X-Api-Key": HEADER_VALUE}), source(header_value=HEADER_VALUE))


@pytest.mark.parametrize("headers, reason", [
    ({}, "X-Api-Key header set when the webhook was created is missing"),
    ({"X-Api-Key": "kq3vX9o2mT7bLrN4pW8sYc1dF6hJ0aZf"}, "does not hold"),
    ({"X-Api-Key": ""}, "is missing"),
])
def test_a_wrong_or_missing_shared_header_is_refused(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        adapter.verify(request(None, extra=headers), source(header_value=HEADER_VALUE))


def test_the_header_name_is_configurable() -> None:
    settings = {"header_value": HEADER_VALUE, "header_name": "X-Shop-Token"}
    adapter.verify(request(None, extra={"x-shop-token": HEADER_VALUE}), source(**settings))
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(None, extra={"X-Api-Key": HEADER_VALUE}), source(**settings))


def test_with_both_configured_a_signature_that_is_sent_must_hold() -> None:
    both = source(client_secret=CLIENT_SECRET, header_value=HEADER_VALUE)
    header = {"X-Api-Key": HEADER_VALUE}
    adapter.verify(request(signed_by(CLIENT_SECRET.encode()), extra=header), both)
    adapter.verify(request(None, extra=header), both)  # a store that does not sign yet
    with pytest.raises(SignatureInvalid, match="no v1 signature"):
        adapter.verify(request(signed_by(b"another-client-secret"), extra=header), both)
    with pytest.raises(SignatureInvalid, match="missing"):
        adapter.verify(request(signed_by(CLIENT_SECRET.encode())), both)  # the header is always required


def test_a_source_without_any_secret_refuses_everything() -> None:
    with pytest.raises(SignatureInvalid, match="neither client_secret nor header_value"):
        adapter.verify(request(signed_by(CLIENT_SECRET.encode())), Source("bc", "bigcommerce", {}))


@pytest.mark.parametrize("settings, field", [
    ({}, "client_secret"),
    ({"client_secret": CLIENT_SECRET, "store_hash": "abcde"}, "access_token"),
    ({"client_secret": CLIENT_SECRET, "access_token": "token"}, "access_token"),
    ({"header_value": "too-short"}, "header_value"),
    ({"client_secret": CLIENT_SECRET, "header_name": "X Api Key"}, "header_name"),
    ({"client_secret": CLIENT_SECRET, "store_hash": "stores/abcde", "access_token": "token"}, "store_hash"),
])
def test_settings_that_cannot_work_are_refused_at_start_up(settings: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        BigCommerceSettings().load(settings)
    assert field in refused.value.messages


def test_every_setting_says_what_it_is_for() -> None:
    for name, field in BigCommerceSettings().fields.items():
        assert field.metadata.get("description") and field.metadata.get("example"), name
