"""The dataLayer's currencies and client times, read by the shared readers; the settings by the same rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from marshmallow import ValidationError

from adapters.base import Headers, InboundRequest, PayloadInvalid, Source
from adapters.gtm import GtmSettings, adapter

SOURCE = Source("website-gtm", "gtm", {})
PURCHASE = {"v": 1, "id": "c1a7f3e0-purchase", "event": "purchase",
            "data": {"event": "purchase", "ecommerce": {"transaction_id": "T-1", "value": 30.03, "currency": "USD"}},
            "page": {"url": "https://shop.example.com/thanks"}, "occurredAt": 1795521598500}


def parse(payload: dict[str, Any], source: Source = SOURCE) -> list[dict[str, Any]]:
    body = json.dumps(payload).encode()
    return adapter.parse(InboundRequest("POST", "/v1/collect", Headers({}), body), source)


def refused_field(payload: dict[str, Any]) -> tuple[str, Any]:
    with pytest.raises(PayloadInvalid) as caught:
        parse(payload)
    return caught.value.problems[0].field, caught.value.problems[0].value


def with_currency(code: Any) -> dict[str, Any]:
    return {**PURCHASE, "data": {**PURCHASE["data"], "ecommerce": {**PURCHASE["data"]["ecommerce"], "currency": code}}}


def test_a_currency_in_lower_case_is_read_in_capitals() -> None:
    assert parse(with_currency("usd"))[0]["commerce"]["currency"] == "USD"


@pytest.mark.parametrize("code", ["USD\n", " USD", "US", "ＵＳＤ", 840])
def test_a_currency_that_is_not_three_letters_is_refused_by_its_path(code: Any) -> None:
    assert refused_field(with_currency(code)) == ("payload.data.ecommerce.currency", code)


def test_a_client_time_written_in_rfc_3339_is_read_in_the_canonical_format() -> None:
    event = parse({**PURCHASE, "occurredAt": "2026-11-24T20:59:59.5+09:00", "sentAt": "2026-11-24T12:00:00Z"})[0]
    assert (event["occurredAt"], event["sentAt"]) == ("2026-11-24T11:59:59.500Z", "2026-11-24T12:00:00.000Z")


@pytest.mark.parametrize("moment", ["2026-11-24T20:59:59+0900", "2026-W48-2T11:59:59Z", "2026-11-24T11:59Z",
                                    "2026-11-24T11:59:59,5Z", "yesterday"])
def test_a_client_time_that_is_not_rfc_3339_is_refused_by_its_path(moment: str) -> None:
    assert refused_field({**PURCHASE, "occurredAt": moment}) == ("payload.occurredAt", moment)


def test_the_default_currency_setting_follows_the_same_rule() -> None:
    assert GtmSettings().load({"default_currency": "KRW"})["default_currency"] == "KRW"
    for wrong in ("KRW\n", "krw", "WO"):
        with pytest.raises(ValidationError) as caught:
            GtmSettings().load({"default_currency": wrong})
        assert caught.value.messages == {
            "default_currency": ["expected an ISO 4217 currency code: three capital letters such as USD"]}
