"""Standard Webhooks verification reproduces the specification's own test vector."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.base import Headers, InboundRequest, SignatureInvalid
from adapters.standard_webhooks import verify_standard_webhook

VECTOR = json.loads((Path(__file__).parent / "fixtures" / "standard_webhooks_test_vector.json").read_text())


def request(signature: str, at: datetime | None = None, body: str | None = None) -> InboundRequest:
    sent = datetime.fromtimestamp(int(VECTOR["webhook-timestamp"]), UTC)
    return InboundRequest(method="POST", path="/", headers=Headers({
        "webhook-id": VECTOR["webhook-id"], "webhook-timestamp": VECTOR["webhook-timestamp"],
        "webhook-signature": signature}), body=(body or VECTOR["raw_body"]).encode(), received_at=at or sent)


def test_the_official_vector_verifies() -> None:
    verified = verify_standard_webhook(request(VECTOR["expected_webhook-signature"]), VECTOR["secret"])
    assert verified == VECTOR["webhook-id"]


def test_one_of_several_signatures_may_match() -> None:
    signatures = "v1,Zm9vYmFyYmF6 " + VECTOR["expected_webhook-signature"]
    verify_standard_webhook(request(signatures), VECTOR["secret"])


@pytest.mark.parametrize("signature, at, body, reason", [
    ("v1,AAAA", None, None, "no v1 signature"),
    ("v2," + VECTOR["expected_webhook-signature"][3:], None, None, "no v1 signature"),
    (VECTOR["expected_webhook-signature"], None, '{"test": 2432232315}', "no v1 signature"),
    (VECTOR["expected_webhook-signature"], datetime.fromtimestamp(1614265330, UTC) + timedelta(minutes=6), None,
     "more than 5 minutes"),
    ("garbage,,,", None, None, "no v1 signature"),
])
def test_anything_else_is_refused(signature: str, at: datetime | None, body: str | None, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        verify_standard_webhook(request(signature, at, body), VECTOR["secret"])
