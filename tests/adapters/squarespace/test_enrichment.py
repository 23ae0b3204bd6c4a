"""Squarespace enrichment against the Orders API's documented Order (api/, see api/SOURCE.txt)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import ApiResponse, Event, PayloadInvalid, Source
from adapters.squarespace import adapter
from app.event.schema import EventValidator

HERE = Path(__file__).parent
VALIDATOR = EventValidator()
SECRET = "F3F9B981C78E7A6187E42853F6CE2804177E98206164779423B02DEC981ACD6B"
SOURCE = Source("case-source", "squarespace", {"secret": SECRET, "api_key": "test-api-key"})


def documented(name: str) -> Any:
    return json.loads((HERE / "api" / name).read_text())


def stored(case: str) -> Event:
    """The event a fixture case stores (normalized, as the gateway hands it to the enrichment)."""
    return dict(json.loads((HERE / "cases" / f"{case}.json").read_text())["expect"]["events"][0])


def test_without_an_api_key_nothing_is_fetched() -> None:
    assert adapter.enrichment_request(stored("order_create"), Source("s", "squarespace", {"secret": SECRET})) is None


def test_the_order_is_fetched_with_the_api_key_and_a_user_agent() -> None:
    request = adapter.enrichment_request(stored("order_create"), SOURCE)
    assert request is not None
    assert request.method == "GET"
    assert request.url == "https://api.squarespace.com/1.0/commerce/orders/5f3c39ce69e11e796f19990e"
    assert request.headers["Authorization"] == "Bearer test-api-key"
    assert request.headers["User-Agent"]  # Squarespace refuses requests without one


def test_an_order_placed_becomes_a_purchase() -> None:
    event = adapter.enrich(stored("order_create"), SOURCE, ApiResponse(200, documented("order.json")))
    assert event["name"] == "Purchase"
    assert event["commerce"] == {
        "orderId": "5f3c39ce69e11e796f19990e", "currency": "USD", "value": 57.7,
        "items": [{"id": "565c8f3da7c8a3cf71d5fd0a", "quantity": 1, "price": 55.0, "name": "Product",
                   "sku": "SQ3381024", "variant": "Large / Black"}]}
    assert event["user"] == {"email": "foo@example.com", "phone": "5553334444"}
    assert event["properties"] == {"testMode": True}
    assert VALIDATOR.problems(event) == []
    assert adapter.enrichment_request(event, SOURCE) is None
    assert adapter.enrich(event, SOURCE, ApiResponse(200, documented("order.json"))) == event


def test_the_customer_id_of_newer_orders_is_the_member_id() -> None:
    order = {**documented("order.json"), "customerId": "585d498fdee9f31a60284a38"}
    event = adapter.enrich(stored("order_create"), SOURCE, ApiResponse(200, order))
    assert event["user"]["memberId"] == "585d498fdee9f31a60284a38"


def test_a_refund_is_worth_the_refunded_total() -> None:
    order = {**documented("order.json"), "refundedTotal": {"value": "57.70", "currency": "USD"}}
    event = adapter.enrich(stored("order_update_refunded"), SOURCE, ApiResponse(200, order))
    assert event["name"] == "Refund"
    assert (event["commerce"]["value"], event["commerce"]["currency"]) == (57.7, "USD")
    assert VALIDATOR.problems(event) == []


def test_a_cancellation_keeps_its_name() -> None:
    event = adapter.enrich(stored("order_update_canceled"), SOURCE, ApiResponse(200, documented("order.json")))
    assert event["name"] == "OrderCancelled"
    assert VALIDATOR.problems(event) == []


def test_an_api_error_is_payload_invalid() -> None:
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(stored("order_create"), SOURCE, ApiResponse(404, documented("error.json")))
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == ("api.status", 404)
    assert "An expiration date is required." in problem.expectation


@pytest.mark.parametrize("body, field", [
    ({**documented("order.json"), "grandTotal": {"value": "a lot", "currency": "USD"}}, "order.grandTotal.value"),
    ({**documented("order.json"), "grandTotal": {"value": "1.00", "currency": "usd"}}, "order.grandTotal.currency"),
    ({**documented("order.json"), "grandTotal": None}, "order.grandTotal"),
    ({**documented("order.json"), "lineItems": [{"quantity": 1}]}, "order.lineItems[0].productId"),
    ({**documented("order.json"), "lineItems": {"id": "x"}}, "order.lineItems"),
    (["no", "order"], "order"),
])
def test_an_unusable_answer_names_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(stored("order_create"), SOURCE, ApiResponse(200, body))
    assert refused.value.problems[0].field == field


def test_numbers_are_read_as_well_as_strings() -> None:
    order = {**documented("order.json"), "grandTotal": {"value": 49.99, "currency": "USD"}, "lineItems": None}
    event = adapter.enrich(stored("order_create"), SOURCE, ApiResponse(200, order))
    assert (event["commerce"]["value"], event["commerce"]["items"]) == (49.99, [])
