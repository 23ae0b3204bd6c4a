"""Ecwid's signature scheme against values computed independently with `openssl dgst -sha256 -hmac ... | base64`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.base import Headers, InboundRequest, SignatureInvalid
from adapters.ecwid.signature import expected_signature, verify_ecwid

SECRET = "ecwid_test_client_secret"
EVENT_ID = "80aece08-40e8-4145-8764-6c2f0d38678"
CREATED = 1234567  # the docs example's eventCreated: 1970-01-15T06:56:07Z
CREATED_AT = datetime(1970, 1, 15, 6, 56, 7, tzinfo=UTC)
# printf '%s' "1234567.80aece08-40e8-4145-8764-6c2f0d38678" | openssl dgst -sha256 -hmac ecwid_test_client_secret \
#   -binary | base64
KNOWN = "QpyJzt7osu2YkhUcNaxqQqZ2merVOYm1wWugGPczSaE="
# printf '%s' "1634209655.95ed494f-362d-4fca-933d-f5c7064b04bb" | openssl dgst ... (the unfinished order example)
KNOWN_UNFINISHED = "xrO9/e7bQbNQETANiseNjO17aHwQDJ9Mb6oSf11srno="
# printf '%s' "1795521590.3f2b7c1e-9d4a-4e8b-a6f0-5c1d2e3f4a5b" | openssl dgst -sha256 -hmac "ünïcode" -binary | base64
KNOWN_UNICODE_KEY = "kbuGIROxdQwxtI27M8mpySHumYyNT3ZLa5bUS/UJc+4="


def request(body: object, signature: str | None = KNOWN, arrival: datetime = CREATED_AT + timedelta(seconds=3)):
    headers = {} if signature is None else {"X-Ecwid-Webhook-Signature": signature}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(method="POST", path="/v1/webhooks/ecwid", headers=Headers(headers), body=raw,
                          received_at=arrival)


def webhook(**fields: object) -> dict[str, object]:
    return {"eventId": EVENT_ID, "eventCreated": CREATED, "storeId": 1003, "eventType": "order.created", **fields}


def test_signature_is_base64_hmac_of_created_dot_id() -> None:
    assert expected_signature(SECRET, CREATED, EVENT_ID) == KNOWN
    assert expected_signature(SECRET, 1634209655, "95ed494f-362d-4fca-933d-f5c7064b04bb") == KNOWN_UNFINISHED


def test_client_secret_is_keyed_with_its_utf8_bytes() -> None:
    assert expected_signature("ünïcode", 1795521590, "3f2b7c1e-9d4a-4e8b-a6f0-5c1d2e3f4a5b") == KNOWN_UNICODE_KEY


def test_only_created_and_id_are_signed_not_the_body() -> None:
    verify_ecwid(request(webhook(storeId=42, data={"orderId": "OTHER"})), SECRET)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=24), timedelta(hours=25), -timedelta(minutes=5)])
def test_ecwids_retries_within_a_day_are_accepted(age: timedelta) -> None:
    verify_ecwid(request(webhook(), arrival=CREATED_AT + age), SECRET)


@pytest.mark.parametrize("age", [timedelta(hours=25, seconds=1), -timedelta(minutes=5, seconds=1)])
def test_an_event_created_outside_the_window_is_refused(age: timedelta) -> None:
    with pytest.raises(SignatureInvalid, match="eventCreated"):
        verify_ecwid(request(webhook(), arrival=CREATED_AT + age), SECRET)


def test_another_secret_or_event_is_refused() -> None:
    with pytest.raises(SignatureInvalid):
        verify_ecwid(request(webhook()), "another_secret")
    with pytest.raises(SignatureInvalid):
        verify_ecwid(request(webhook(eventId="80aece08-40e8-4145-8764-6c2f0d38679")), SECRET)
    with pytest.raises(SignatureInvalid):
        verify_ecwid(request(webhook(eventCreated=CREATED + 1)), SECRET)


@pytest.mark.parametrize("body", [
    b'{"eventId": "80aece08', b"", [1, 2], {"eventId": EVENT_ID}, webhook(eventCreated="1234567"),
    webhook(eventCreated=True), webhook(eventId=None), webhook(eventId=""), webhook(eventCreated=10**20),
])
def test_without_readable_signed_fields_the_request_is_refused(body: object) -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify_ecwid(request(body), SECRET)
    assert caught.value.header == "X-Ecwid-Webhook-Signature"


def test_a_missing_header_is_refused() -> None:
    with pytest.raises(SignatureInvalid, match="missing"):
        verify_ecwid(request(webhook(), signature=None), SECRET)
