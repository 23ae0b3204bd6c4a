"""Wix webhook signatures: the real signed webhook from Wix's example app, and the test-key fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, SignatureInvalid, Source
from adapters.wix import WixSettings, adapter
from adapters.wix.signature import LEEWAY, verify_jwt

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "samples"
REAL_TOKEN = (SAMPLES / "app_installed__jwt_body.txt").read_bytes()
REAL_KEY = (SAMPLES / "app_installed__public_key.pem").read_text()
TEST_KEY = (HERE / "test_public_key.pem").read_text()
REAL_IAT = datetime.fromtimestamp(1640788554, tz=UTC)
REAL_EXP = datetime.fromtimestamp(1644388554, tz=UTC)


def test_the_real_wix_webhook_verifies_at_a_time_inside_its_validity() -> None:
    claims = verify_jwt(REAL_TOKEN, REAL_KEY, REAL_IAT + timedelta(seconds=1))
    assert json.loads(claims["data"])["eventType"] == "AppInstalled"
    assert claims == json.loads((SAMPLES / "app_installed__decoded.json").read_text())["claims"]


def test_the_real_wix_webhook_is_checked_against_the_arrival_time_not_the_wall_clock() -> None:
    verify_jwt(REAL_TOKEN, REAL_KEY, REAL_EXP + LEEWAY)
    with pytest.raises(SignatureInvalid, match="expired"):
        verify_jwt(REAL_TOKEN, REAL_KEY, REAL_EXP + LEEWAY + timedelta(seconds=1))


def test_the_real_wix_webhook_altered_does_not_verify() -> None:
    header, payload, signature = REAL_TOKEN.split(b".")
    altered = b".".join([header, payload[:-2] + (b"A" if payload[-2:-1] != b"A" else b"B") + payload[-1:], signature])
    with pytest.raises(SignatureInvalid):
        verify_jwt(altered, REAL_KEY, REAL_IAT)


def test_the_real_wix_webhook_does_not_verify_with_another_key() -> None:
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_jwt(REAL_TOKEN, TEST_KEY, REAL_IAT)


def test_the_key_is_accepted_without_its_pem_armour() -> None:
    bare = "".join(line for line in REAL_KEY.splitlines() if "PUBLIC KEY" not in line)
    verify_jwt(REAL_TOKEN, bare, REAL_IAT)
    assert WixSettings().load({"public_key": bare})["public_key"] == bare


def test_a_token_without_signature_is_refused() -> None:
    claims = jwt.decode(REAL_TOKEN.decode(), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none").encode()
    with pytest.raises(SignatureInvalid, match="not a JWT"):
        verify_jwt(unsigned, REAL_KEY, REAL_IAT)


def test_a_token_issued_in_the_future_is_refused() -> None:
    with pytest.raises(SignatureInvalid, match="future"):
        verify_jwt(REAL_TOKEN, REAL_KEY, REAL_IAT - LEEWAY - timedelta(seconds=1))


def test_a_source_setting_that_is_no_rsa_public_key_is_refused_at_load() -> None:
    with pytest.raises(ValidationError, match="RSA public key"):
        WixSettings().load({"public_key": "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----"})
    with pytest.raises(ValidationError):
        WixSettings().load({})


SIGNED_WITH_THE_TEST_KEY = sorted(p for p in SAMPLES.glob("*.decoded.json") if not p.name.startswith("app_installed"))


@pytest.mark.parametrize("decoded", SIGNED_WITH_THE_TEST_KEY, ids=lambda p: p.name.removesuffix(".decoded.json"))
def test_each_signed_fixture_carries_its_readable_decoded_copy(decoded: Path) -> None:
    """The `.jwt` fixtures hold exactly the envelopes shown in the `.decoded.json` files beside them."""
    token = decoded.with_name(decoded.name.replace(".decoded.json", ".jwt")).read_bytes()
    claims = verify_jwt(token, TEST_KEY, datetime(2026, 11, 24, 12, tzinfo=UTC))
    expected = json.loads(decoded.read_text())
    envelope = expected.get("envelope")
    if envelope is None:
        assert claims == expected["claims"]
        return
    sent = json.loads(claims["data"])
    assert {k: v for k, v in claims.items() if k != "data"} == expected["claims"]
    assert sent["eventType"] == envelope["eventType"] and sent["instanceId"] == envelope["instanceId"]
    assert sent["data"] == envelope["data"] or json.loads(sent["data"]) == envelope["data"]
    assert json.loads(sent.get("identity", "null")) == envelope.get("identity")


def test_verify_and_parse_through_the_adapter() -> None:
    request = InboundRequest("POST", "/v1/webhooks/wix", Headers({}), REAL_TOKEN, received_at=REAL_IAT)
    source = Source("wix", "wix", {"public_key": REAL_KEY})
    adapter.verify(request, source)
    assert adapter.parse(request, source) == []
