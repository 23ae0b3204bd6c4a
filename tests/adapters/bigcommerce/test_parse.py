"""BigCommerce bodies → events: the status rules, ids, the store, and refusals that name the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, PayloadInvalid, Source
from adapters.bigcommerce import adapter

SOURCE = Source("bc", "bigcommerce", {"client_secret": "s"})


def parse(body: Any, source: Source = SOURCE) -> list[dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return adapter.parse(InboundRequest("POST", "/", Headers({}), raw), source)


def status_update(previous: Any, new: Any) -> dict[str, Any]:
    return {"scope": "store/order/statusUpdated", "store_id": "1025646", "producer": "stores/abcde",
            "hash": "7ee67cd1cf2ca60bc1aa9e5fe957d2de373be4ca", "created_at": 1561479335,
            "data": {"type": "order", "id": 250, "status": {"previous_status_id": previous, "new_status_id": new}}}


@pytest.mark.parametrize("previous, new, name", [
    (0, 11, "OrderPaid"),  # Incomplete → Awaiting Fulfillment: the docs' sample
    (7, 11, "OrderPaid"),  # Awaiting Payment → payment confirmed
    (1, 10, "OrderPaid"),  # Pending → Completed (digital)
    (2, 10, None),  # Shipped → Completed: paid long ago
    (11, 9, None),  # Awaiting Fulfillment → Awaiting Shipment
    (11, 5, "OrderCancelled"),
    (0, 5, "OrderCancelled"),
    (11, 4, None),  # Refunded: the refund's own webhook (store/order/refund/created) records it
    (0, 7, None),
])
def test_status_changes(previous: int, new: int, name: str | None) -> None:
    events = parse(status_update(previous, new))
    assert [e["name"] for e in events] == ([name] if name else [])
    if name:
        assert events[0]["properties"] == {"previousStatusId": previous, "statusId": new}


def test_the_store_hash_is_the_shop_and_the_time_is_created_at() -> None:
    [event] = parse(status_update(0, 11))
    assert event["source"] == {"topic": "store/order/statusUpdated",
                               "deliveryId": "7ee67cd1cf2ca60bc1aa9e5fe957d2de373be4ca", "shop": "abcde"}
    assert event["occurredAt"] == "2019-06-25T16:15:35.000Z"


def test_without_a_producer_the_store_id_is_the_shop() -> None:
    body = {**status_update(0, 11), "producer": None, "store_id": 1025646}
    assert parse(body)[0]["source"]["shop"] == "1025646"


def test_one_event_per_scope_and_hash() -> None:
    """order/created and order/updated share the hash of the same data; only the scope tells them apart."""
    created = {"scope": "store/order/created", "producer": "stores/abcde", "hash": "dd70c0976e06b67a",
               "data": {"type": "order", "id": 250}}
    paid = {**status_update(0, 11), "hash": "dd70c0976e06b67a"}
    assert parse(created)[0]["id"] != parse(paid)[0]["id"]
    assert parse(created)[0]["id"] == parse(dict(created))[0]["id"]


def test_ids_beyond_2_53_stay_exact() -> None:
    body = b'{"scope":"store/order/created","producer":"stores/abcde","hash":"h","data":{"id":9007199254740993}}'
    assert parse(body)[0]["commerce"] == {"orderId": "9007199254740993"}


def test_a_webhook_of_the_sources_own_store_is_accepted() -> None:
    own = Source("bc", "bigcommerce", {"client_secret": "s", "store_hash": "abcde", "access_token": "t"})
    assert [e["name"] for e in parse(status_update(0, 11), own)] == ["OrderPaid"]
    with pytest.raises(PayloadInvalid) as refused:
        parse({**status_update(0, 11), "producer": "stores/zzz"}, own)
    assert refused.value.problems[0].field == "producer"


@pytest.mark.parametrize("body, field", [
    ([], "body"),
    ({"data": {"id": 1}}, "scope"),
    ({"scope": 7}, "scope"),
    ({"scope": "store/order/created", "hash": "h", "data": None}, "data"),
    ({"scope": "store/order/created", "hash": "h", "data": {"id": True}}, "data.id"),
    ({"scope": "store/order/created", "data": {"id": 1}}, "hash"),
    ({"scope": "store/order/created", "hash": "h", "data": {"id": 1}, "created_at": "yesterday"}, "created_at"),
    ({"scope": "store/order/created", "hash": "h", "data": {"id": 1}, "created_at": 10**20}, "created_at"),
    ({"scope": "store/order/statusUpdated", "hash": "h", "data": {"id": 1, "status": {"new_status_id": 11}}},
     "data.status.previous_status_id"),
    ({"scope": "store/order/refund/created", "hash": "h", "data": {"id": 1}}, "data.refund"),
    ({"scope": "store/cart/lineItem/created", "hash": "h", "data": {"id": "x"}}, "data.cartId"),
])
def test_bad_bodies_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        parse(body)
    assert refused.value.problems[0].field == field


def test_unmapped_scopes_need_no_more_than_a_scope() -> None:
    assert parse({"scope": "store/product/updated"}) == []
