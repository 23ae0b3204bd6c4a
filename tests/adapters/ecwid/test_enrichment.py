"""Ecwid enrichment against the documented Get order answer (api/): the request, the merge, the errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError

from adapters.base import ApiResponse, Event, PayloadInvalid, Source
from adapters.ecwid import adapter
from app.event.schema import EventValidator

HERE = Path(__file__).parent
ORDER = json.loads((HERE / "api" / "get_order__docs_example.json").read_text(encoding="utf-8"))
VALIDATOR = EventValidator()
CREDENTIALS = {"client_secret": "ecwid_test_client_secret", "store_id": 1003, "token": "secret_test_token"}


def source(**settings: Any) -> Source:
    """A source whose settings went through the adapter's settings schema, as the configuration loader does."""
    assert adapter.settings_schema is not None
    return Source("ecwid-shop", "ecwid", adapter.settings_schema().load(settings))


def stored(case: str) -> Event:
    """The event a fixture case stores (the gateway enriches stored events)."""
    data = json.loads((HERE / "cases" / f"{case}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data["expect"]["events"][0])


def answer(**changes: Any) -> ApiResponse:
    return ApiResponse(200, {**copy.deepcopy(ORDER), **changes})


def test_no_credentials_no_request() -> None:
    assert adapter.enrichment_request(stored("order_created"), source(client_secret="s")) is None


def test_store_id_and_token_go_together() -> None:
    assert adapter.settings_schema is not None
    with pytest.raises(ValidationError, match="store_id and token go together"):
        adapter.settings_schema().load({"client_secret": "s", "token": "secret_x"})


@pytest.mark.parametrize("code", ["USD\n", "usd", "US", "ＵＳＤ"])
def test_the_store_currency_setting_is_three_capital_letters(code: str) -> None:
    assert source(client_secret="s", currency="KRW").settings["currency"] == "KRW"
    with pytest.raises(ValidationError) as refused:
        source(client_secret="s", currency=code)
    expected = "expected an ISO 4217 currency code: three capital letters such as USD"
    assert refused.value.messages == {"currency": [expected]}


def test_the_request_is_the_documented_get_order() -> None:
    request = adapter.enrichment_request(stored("order_created"), source(**CREDENTIALS))
    assert request is not None
    assert request.method == "GET"
    assert request.url == "https://app.ecwid.com/api/v3/1003/orders/XJ12H"
    assert request.headers["Authorization"] == "Bearer secret_test_token"


@pytest.mark.parametrize("case", ["order_created_awaiting_payment", "order_updated_refunded",
                                  "unfinished_order_created"])
def test_every_order_event_of_the_store_is_fetched(case: str) -> None:
    request = adapter.enrichment_request(stored(case), source(**CREDENTIALS))
    assert request is not None
    assert request.url.startswith("https://app.ecwid.com/api/v3/1003/orders/")


def test_order_ids_are_escaped_in_the_url() -> None:
    event = stored("order_created")
    event["commerce"]["orderId"] = "MYSTORE-X8/UYE"
    request = adapter.enrichment_request(event, source(**CREDENTIALS))
    assert request is not None
    assert request.url == "https://app.ecwid.com/api/v3/1003/orders/MYSTORE-X8%2FUYE"


def test_no_request_for_another_store_or_a_sign_up() -> None:
    assert adapter.enrichment_request(stored("order_created"), source(**{**CREDENTIALS, "store_id": 4870020})) is None
    assert adapter.enrichment_request(stored("customer_created"), source(**CREDENTIALS)) is None


def test_a_placed_order_becomes_a_purchase_with_the_order_contents() -> None:
    event = adapter.enrich(stored("order_created"), source(**CREDENTIALS, currency="USD"), answer())
    assert event["name"] == "Purchase"
    assert event["commerce"] == {
        "orderId": "XJ12H", "currency": "USD", "value": 37.39,
        "items": [{"id": "37208342", "quantity": 5, "name": "Cherry", "price": 5.99, "sku": "00004"}],
    }
    assert event["user"] == {"memberId": "15319410", "email": "johnsmith@example.com", "phone": "+1234567890"}
    assert event["properties"] == {"paymentStatus": "PAID", "fulfillmentStatus": "SHIPPED"}
    assert VALIDATOR.problems(event) == []


def test_an_unpaid_placed_order_becomes_a_purchase_too() -> None:
    event = adapter.enrich(stored("order_created_awaiting_payment"), source(**CREDENTIALS, currency="EUR"),
                           answer(paymentStatus="AWAITING_PAYMENT"))
    assert (event["name"], event["commerce"]["value"], event["commerce"]["currency"]) == ("Purchase", 37.39, "EUR")
    assert VALIDATOR.problems(event) == []


def test_without_the_store_currency_there_is_no_value_and_the_name_stays() -> None:
    event = adapter.enrich(stored("order_created"), source(**CREDENTIALS), answer())
    assert event["name"] == "OrderPaid"
    assert "value" not in event["commerce"] and "currency" not in event["commerce"]
    assert event["commerce"]["items"][0]["id"] == "37208342"
    assert VALIDATOR.problems(event) == []


def test_a_refund_is_worth_the_refunded_amount() -> None:
    settings = source(**CREDENTIALS, currency="USD")
    full = adapter.enrich(stored("order_updated_refunded"), settings,
                          answer(paymentStatus="REFUNDED", refundedAmount=0))
    partial = adapter.enrich(stored("order_updated_refunded"), settings,
                             answer(paymentStatus="PARTIALLY_REFUNDED", refundedAmount=10))
    unknown = adapter.enrich(stored("order_updated_refunded"), settings, answer(paymentStatus="PARTIALLY_REFUNDED"))
    assert (full["name"], full["commerce"]["value"]) == ("Refund", 37.39)
    assert partial["commerce"]["value"] == 10
    assert "value" not in unknown["commerce"]
    for event in (full, partial, unknown):
        assert VALIDATOR.problems(event) == []


def test_an_abandoned_checkout_keeps_its_name_and_cart() -> None:
    event = adapter.enrich(stored("unfinished_order_created"), source(**CREDENTIALS, currency="USD"),
                           answer(paymentStatus="INCOMPLETE"))
    assert event["name"] == "CheckoutBegin"
    assert event["commerce"]["cartId"] == "320AB5DE-5EA6-4419-A4CF-0B04D2913190"
    assert event["commerce"]["value"] == 37.39
    assert VALIDATOR.problems(event) == []


def test_a_guest_order_has_no_member_id() -> None:
    event = adapter.enrich(stored("order_created"), source(**CREDENTIALS, currency="USD"),
                           answer(customerId=None, billingPerson={"name": "Guest"}))
    assert event["user"] == {"email": "johnsmith@example.com", "phone": "+1234567890"}


@pytest.mark.parametrize(("response", "field", "said"), [
    (ApiResponse(404, {"errorMessage": "Order #XJ12H not found"}), "response.status", "Order #XJ12H not found"),
    (ApiResponse(500, None), "response.status", None),
    (ApiResponse(403, "Forbidden"), "response.status", None),
    (ApiResponse(200, None), "order", None),
    (ApiResponse(200, {**ORDER, "total": "37.39"}), "order.total", None),
    (ApiResponse(200, {**ORDER, "items": {"id": 1}}), "order.items", None),
    (ApiResponse(200, {**ORDER, "items": [{"quantity": 1}]}), "order.items[0].productId", None),
    (ApiResponse(200, {**ORDER, "items": [{"productId": 1, "quantity": -1}]}), "order.items[0].quantity", None),
])
def test_an_unusable_answer_is_payload_invalid(response: ApiResponse, field: str, said: str | None) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        adapter.enrich(stored("order_created"), source(**CREDENTIALS, currency="USD"), response)
    problem = caught.value.problems[0]
    assert problem.field == field
    if said:
        assert said in problem.expectation
