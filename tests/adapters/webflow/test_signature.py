"""Webflow's signature scheme against values computed independently with `openssl dgst -sha256 -hmac`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.base import Headers, InboundRequest, SignatureInvalid
from adapters.webflow.signature import expected_signature, verify_webflow

BODY = b'{"triggerType":"site_publish","payload":{}}'
TIMESTAMP = "1795521598123"  # 2026-11-24T11:59:58.123Z
SENT = datetime(2026, 11, 24, 11, 59, 58, 123000, tzinfo=UTC)
# printf '%s' '1795521598123:{"triggerType":"site_publish","payload":{}}' | openssl dgst -sha256 -hmac wf_test_secret
KNOWN = "1ad35f7025255b39bdca1ed7b9b7daaab76fa392986e81d8c2b26cf13af30f06"
# the same message under a non-ASCII secret, keyed with its UTF-8 bytes (as the SDK's TextEncoder does)
KNOWN_UNICODE_KEY = "31fd17270221d70a13f7d80d29066d47ac19151b40dfcf882d52396ca716ab59"


def request(headers: dict[str, str], arrival: datetime = SENT + timedelta(seconds=2), body: bytes = BODY):
    return InboundRequest(method="POST", path="/v1/webhooks/wf", headers=Headers(headers), body=body,
                          received_at=arrival)


def signed(signature: str = KNOWN, timestamp: str = TIMESTAMP) -> dict[str, str]:
    return {"x-webflow-timestamp": timestamp, "x-webflow-signature": signature}


def test_signature_is_hex_hmac_of_timestamp_colon_body() -> None:
    assert expected_signature("wf_test_secret", TIMESTAMP, BODY) == KNOWN


def test_secret_is_keyed_with_its_utf8_bytes() -> None:
    assert expected_signature("ünïcode-secret", "1663849649733", BODY) == KNOWN_UNICODE_KEY


@pytest.mark.parametrize("arrival", [SENT, SENT + timedelta(minutes=4, seconds=59), SENT - timedelta(minutes=4)])
def test_a_signature_within_five_minutes_of_arrival_holds(arrival: datetime) -> None:
    verify_webflow(request(signed(), arrival), "wf_test_secret")


def test_upper_case_hex_is_the_same_signature() -> None:
    verify_webflow(request(signed(KNOWN.upper())), "wf_test_secret")


@pytest.mark.parametrize("arrival", [SENT + timedelta(minutes=5, milliseconds=1), SENT - timedelta(minutes=6)])
def test_a_timestamp_more_than_five_minutes_away_is_refused(arrival: datetime) -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify_webflow(request(signed(), arrival), "wf_test_secret")
    assert caught.value.header == "x-webflow-timestamp"


def test_another_secret_or_body_is_refused() -> None:
    with pytest.raises(SignatureInvalid):
        verify_webflow(request(signed()), "another-secret")
    with pytest.raises(SignatureInvalid):
        verify_webflow(request(signed(), body=BODY + b" "), "wf_test_secret")


@pytest.mark.parametrize(("headers", "header"), [
    ({"x-webflow-timestamp": TIMESTAMP}, "x-webflow-signature"),
    ({"x-webflow-signature": KNOWN}, "x-webflow-timestamp"),
    (signed(timestamp="1795521598.123"), "x-webflow-timestamp"),
    (signed(timestamp="99999999999999999999"), "x-webflow-timestamp"),
    (signed(timestamp="١٧٩٥٥٢١٥٩٨١٢٣"), "x-webflow-timestamp"),
])
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str], header: str) -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify_webflow(request(headers), "wf_test_secret")
    assert caught.value.header == header
