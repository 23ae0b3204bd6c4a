"""BigCommerce enrichment against the API's documented responses (api/, see api/SOURCE.txt)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import ApiResponse, Event, PayloadInvalid, Source
from adapters.bigcommerce import adapter
from app.event.schema import EventValidator

HERE = Path(__file__).parent
VALIDATOR = EventValidator()
API = "https://api.bigcommerce.com/stores/abcde"
CREDENTIALS = {"client_secret": "tagway-test-client-secret-5d1f0c9a", "store_hash": "abcde",
               "access_token": "test-access-token"}
SOURCE = Source("case-source", "bigcommerce", CREDENTIALS)


def documented(name: str) -> Any:
    return json.loads((HERE / "api" / name).read_text())


def stored(case: str) -> Event:
    """The event a fixture case stores (normalized, as the gateway hands it to the enrichment)."""
    return dict(json.loads((HERE / "cases" / f"{case}.json").read_text())["expect"]["events"][0])


def ok(body: Any) -> ApiResponse:
    return ApiResponse(200, body)


def test_without_credentials_nothing_is_fetched() -> None:
    for settings in ({"client_secret": "s"}, {"client_secret": "s", "store_hash": "abcde"}):
        for case in ("order_created", "cart_abandoned", "cart_line_item_created", "order_status_updated"):
            assert adapter.enrichment_request(stored(case), Source("s", "bigcommerce", settings)) is None


def test_events_without_an_order_or_a_cart_need_nothing() -> None:
    assert adapter.enrichment_request(stored("customer_created"), SOURCE) is None
    assert adapter.enrichment_request(stored("subscriber_created"), SOURCE) is None


def test_an_order_placed_takes_the_order_then_its_products_and_becomes_a_purchase() -> None:
    event = stored("order_created")
    first = adapter.enrichment_request(event, SOURCE)
    assert first is not None
    assert first.method == "GET"
    assert first.url == f"{API}/v2/orders/250"
    assert first.headers == {"X-Auth-Token": "test-access-token", "Accept": "application/json"}

    event = adapter.enrich(event, SOURCE, ok(documented("order.json")))
    assert event["name"] == "Purchase"  # status 7, Awaiting Payment: the checkout was completed
    assert event["commerce"] == {"orderId": "250", "currency": "USD", "value": 69.84,
                                 "cartId": "7e48f7ef-2e88-4817-aea4-b0ed01490114"}
    assert event["user"] == {"memberId": "11", "email": "janedoe@example.com", "phone": "1234567890"}
    assert VALIDATOR.problems(event) == []

    second = adapter.enrichment_request(event, SOURCE)
    assert second is not None
    assert second.url == f"{API}/v2/orders/250/products"
    event = adapter.enrich(event, SOURCE, ok(documented("order_products.json")))
    assert event["commerce"]["items"] == [
        {"id": "77", "quantity": 1, "name": "Fog Linen Chambray Towel - Beige Stripe", "price": 65.23,
         "sku": "S-ORAN", "brand": "BigCommerce"},
        {"id": "86", "quantity": 1, "name": "Able Brewing System", "price": 0.0, "sku": "ABS",
         "brand": "BigCommerce"},
    ]
    assert VALIDATOR.problems(event) == []
    assert adapter.enrichment_request(event, SOURCE) is None
    assert adapter.enrich(event, SOURCE, ok(documented("order.json"))) == event  # nothing was asked


def test_an_order_still_incomplete_stays_order_placed() -> None:
    incomplete = {**documented("order.json"), "status_id": 0, "status": "Incomplete"}
    event = adapter.enrich(stored("order_created"), SOURCE, ok(incomplete))
    assert event["name"] == "OrderPlaced"
    assert event["commerce"]["value"] == 69.84
    assert VALIDATOR.problems(event) == []


def test_a_guest_order_has_no_member_id() -> None:
    guest = {**documented("order.json"), "customer_id": 0}
    event = adapter.enrich(stored("order_created"), SOURCE, ok(guest))
    assert event["user"] == {"email": "janedoe@example.com", "phone": "1234567890"}


def test_paid_and_refund_take_the_order_only() -> None:
    paid = adapter.enrich(stored("order_status_updated"), SOURCE, ok(documented("order.json")))
    assert paid["name"] == "OrderPaid"
    assert paid["commerce"]["value"] == 69.84
    assert adapter.enrichment_request(paid, SOURCE) is None
    assert VALIDATOR.problems(paid) == []

    refund = adapter.enrich(stored("order_refund_created"), SOURCE, ok(documented("order.json")))
    assert refund["commerce"] == {"orderId": "250", "currency": "USD", "value": 0.0,  # refunded_amount
                                  "cartId": "7e48f7ef-2e88-4817-aea4-b0ed01490114"}
    assert adapter.enrichment_request(refund, SOURCE) is None
    assert VALIDATOR.problems(refund) == []


def test_an_item_added_to_a_cart_becomes_an_add_to_cart_with_that_item() -> None:
    event = stored("cart_line_item_created")
    request = adapter.enrichment_request(event, SOURCE)
    assert request is not None
    assert request.url == f"{API}/v3/carts/b0386708-fef3-45de-9d8b-fbe3031450a4"
    # The documented cart holds the line 6e193ce6-...; the webhook would name it.
    event["properties"] = {"lineItemId": "6e193ce6-f327-4dcc-b75e-72cf6738525e"}
    event = adapter.enrich(event, SOURCE, ok(documented("cart.json")))
    assert event["name"] == "AddToCart"
    assert event["commerce"] == {"cartId": "b0386708-fef3-45de-9d8b-fbe3031450a4", "currency": "USD",
                                 "value": 139.75, "items": [
                                     {"id": "191", "quantity": 5, "price": 27.95, "name": "Openhouse No. 3",
                                      "sku": "OPENHOUSE-3"}]}
    assert event["user"] == {"memberId": "11", "email": "customer@example.com"}
    assert VALIDATOR.problems(event) == []
    assert adapter.enrichment_request(event, SOURCE) is None


def test_an_item_no_longer_in_the_cart_stays_cart_item_added() -> None:
    event = adapter.enrich(stored("cart_line_item_created"), SOURCE, ok(documented("cart.json")))
    assert event["name"] == "CartItemAdded"
    assert event["commerce"] == {"cartId": "b0386708-fef3-45de-9d8b-fbe3031450a4", "currency": "USD", "items": []}
    assert VALIDATOR.problems(event) == []
    assert adapter.enrichment_request(event, SOURCE) is None


def test_an_abandoned_cart_gets_every_product_and_the_cart_amount() -> None:
    event = adapter.enrich(stored("cart_abandoned"), SOURCE, ok(documented("cart.json")))
    assert event["name"] == "CartAbandoned"
    assert event["commerce"] == {
        "cartId": "09346904-4175-44fd-be53-f7e598531b6c", "currency": "USD", "value": 212.81,
        "items": [{"id": "191", "quantity": 5, "price": 27.95, "name": "Openhouse No. 3", "sku": "OPENHOUSE-3"},
                  {"id": "ROPE-TOY", "quantity": 1, "price": 5.99, "name": "Rope Toy", "sku": "ROPE-TOY"}]}
    assert VALIDATOR.problems(event) == []


def test_currency_codes_in_lower_case_as_the_carts_api_documents_them_are_upper_cased() -> None:
    cart = documented("cart.json")
    lower = {"data": {**cart["data"], "currency": {"code": "usd"}}}
    assert adapter.enrich(stored("cart_abandoned"), SOURCE, ok(lower))["commerce"]["currency"] == "USD"
    order = {**documented("order.json"), "default_currency_code": "usd"}
    assert adapter.enrich(stored("order_created"), SOURCE, ok(order))["commerce"]["currency"] == "USD"


@pytest.mark.parametrize("code", ["USD\n", "usd ", "US", "ＵＳＤ"])
def test_a_currency_code_of_anything_but_three_ascii_letters_is_refused(code: str) -> None:
    cart = documented("cart.json")
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(stored("cart_abandoned"), SOURCE, ok({"data": {**cart["data"], "currency": {"code": code}}}))
    assert (refused.value.problems[0].field, refused.value.problems[0].value) == ("data.currency.code", code)


@pytest.mark.parametrize("case, answer", [
    ("order_created", "order_not_found.json"),
    ("cart_abandoned", "cart_not_found.json"),
])
def test_an_api_error_is_payload_invalid(case: str, answer: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(stored(case), SOURCE, ApiResponse(404, documented(answer)))
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == ("api.status", 404)
    assert "not found" in problem.expectation


@pytest.mark.parametrize("case, body, field", [
    ("order_created", {**documented("order.json"), "total_inc_tax": "a lot"}, "order.total_inc_tax"),
    ("order_created", {**documented("order.json"), "default_currency_code": None, "currency_code": 840},
     "order.default_currency_code"),
    ("order_created", ["not", "an", "order"], "order"),
    ("cart_abandoned", {"data": {**documented("cart.json")["data"], "line_items": None}}, "data.line_items"),
    ("cart_abandoned", {"errors": []}, "data"),
])
def test_an_unusable_answer_names_the_field(case: str, body: Any, field: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(stored(case), SOURCE, ok(body))
    assert refused.value.problems[0].field == field


def test_an_order_products_answer_that_is_no_list_is_refused() -> None:
    placed = adapter.enrich(stored("order_created"), SOURCE, ok(documented("order.json")))
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(placed, SOURCE, ok({"id": 65}))
    assert refused.value.problems[0].field == "products"



@pytest.mark.parametrize("row, field", [
    ("a product", "products[1]"),
    ({"product_id": 1, "quantity": 1, "price_inc_tax": "a lot"}, "products[1].price_inc_tax"),
    ({"product_id": 1, "quantity": -2}, "products[1].quantity"),
])
def test_a_bad_product_row_is_named_by_its_index(row: Any, field: str) -> None:
    placed = adapter.enrich(stored("order_created"), SOURCE, ok(documented("order.json")))
    rows = [documented("order_products.json")[0], row]
    with pytest.raises(PayloadInvalid) as refused:
        adapter.enrich(placed, SOURCE, ok(rows))
    assert [problem.field for problem in refused.value.problems] == [field]

def test_ids_beyond_2_53_stay_exact_in_the_url() -> None:
    event = {**stored("order_created"), "commerce": {"orderId": "9007199254740993"}}
    request = adapter.enrichment_request(event, SOURCE)
    assert request is not None
    assert request.url == f"{API}/v2/orders/9007199254740993"
