"""Cafe24: the API key check, and the event ids of events that carry no id or time of their own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, PayloadInvalid, SignatureInvalid, Source
from adapters.cafe24 import Cafe24Settings, adapter

SAMPLES = Path(__file__).resolve().parent / "samples"
KEY = "tagway-test-cafe24-webhook-key-7f3a9c"
SOURCE = Source("cafe24", "cafe24", {"api_key": KEY})
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def request(sample: str, headers: dict[str, str] | None = None, at: datetime = NOW) -> InboundRequest:
    sent = Headers(headers if headers is not None else {"X-API-Key": KEY})
    return InboundRequest("POST", "/v1/webhooks/cafe24", sent, (SAMPLES / sample).read_bytes(), received_at=at)


def test_the_configured_key_passes_in_any_header_case() -> None:
    adapter.verify(request("90023_order_placed__sample.json", {"x-api-key": KEY}), SOURCE)


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": ""}, {"X-API-Key": KEY + "x"}, {"X-API-Key": KEY[:-1]},
                                     {"Authorization": KEY}])
def test_a_missing_or_other_key_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureInvalid) as refused:
        adapter.verify(request("90023_order_placed__sample.json", headers), SOURCE)
    assert refused.value.header == "X-API-Key"


def test_the_api_key_setting_is_required() -> None:
    with pytest.raises(ValidationError):
        Cafe24Settings().load({})


def test_a_sign_in_redelivered_within_ten_minutes_is_the_same_event() -> None:
    window = NOW.replace(minute=0)
    first = adapter.parse(request("90143_customer_signin__sample.json", at=window + timedelta(minutes=1)), SOURCE)
    again = adapter.parse(request("90143_customer_signin__sample.json", at=window + timedelta(minutes=9)), SOURCE)
    later = adapter.parse(request("90143_customer_signin__sample.json", at=window + timedelta(minutes=10)), SOURCE)
    assert first[0]["id"] == again[0]["id"] != later[0]["id"]


def test_an_order_event_keeps_its_id_whenever_it_arrives() -> None:
    first = adapter.parse(request("90023_order_placed__sample.json"), SOURCE)
    days_later = adapter.parse(request("90023_order_placed__sample.json", at=NOW + timedelta(days=2)), SOURCE)
    assert first[0]["id"] == days_later[0]["id"]
    assert first[0]["commerce"] == {"orderId": "20200717-0029236", "currency": "KRW", "value": 24680}


def order_placed(**changes: Any) -> list[dict[str, Any]]:
    """The 90023 sample with some of its resource's fields changed, parsed."""
    body = json.loads((SAMPLES / "90023_order_placed__sample.json").read_text())
    body["resource"].update(changes)
    return adapter.parse(InboundRequest("POST", "/", Headers({}), json.dumps(body).encode(), received_at=NOW), SOURCE)


def test_unset_amounts_and_numbers_written_for_text_are_read_as_cafe24_writes_them() -> None:
    [event] = order_placed(shipping_fee="", actual_payment_amount="27580", event_shop_no=2, buyer_phone="")
    assert event["properties"]["actualPaymentAmount"] == 27580
    assert "shippingFee" not in event["properties"]
    assert event["properties"]["shopNo"] == "2"
    assert event["occurredAt"] == "2020-07-17T06:28:14.000Z"


@pytest.mark.parametrize(("change", "field"), [
    ({"order_price_amount": "1e3"}, "resource.order_price_amount"),
    ({"currency": "KRW\n"}, "resource.currency"),
    ({"currency": "krw"}, "resource.currency"),
    ({"order_date": "2020-07-17T15:28:14+0900"}, "resource.order_date"),
    ({"order_date": "2020-07-17 15:28"}, "resource.order_date"),
    ({"order_id": ""}, "resource.order_id"),
    ({"member_id": 1.5}, "resource.member_id"),
])
def test_a_wrong_field_is_named_by_its_path(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        order_placed(**change)
    assert (refused.value.problems[0].field, refused.value.problems[0].value) == (field, next(iter(change.values())))


def test_a_field_of_a_body_without_resource_is_named_at_the_top() -> None:
    body = {**json.loads((SAMPLES / "90143_customer_signin__sample.json").read_text()), "member_id": ""}
    with pytest.raises(PayloadInvalid) as refused:
        adapter.parse(InboundRequest("POST", "/", Headers({}), json.dumps(body).encode(), received_at=NOW), SOURCE)
    assert (refused.value.problems[0].field, refused.value.problems[0].value) == ("member_id", "")
