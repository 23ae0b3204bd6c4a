"""Wix mapping on arbitrary JSON: for every mapped event type, bad input raises only PayloadInvalid."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.base import Headers, InboundRequest, PayloadInvalid, Source
from adapters.wix import adapter
from adapters.wix.mapping import TOPICS

SOURCE = Source("wix", "wix", {"public_key": "unused by parse"})
KEYS = ["id", "eventTime", "actionEvent", "createdEvent", "body", "bodyAsJson", "entity", "entityAsJson", "order",
        "lineItems", "catalogReference", "catalogItemId", "options", "variantId", "productName", "original", "price",
        "amount", "quantity", "buyerInfo", "memberId", "visitorId", "email", "currency", "priceSummary", "total",
        "paymentStatus", "balanceSummary", "refunded", "subtotal", "primaryInfo", "info", "emails", "items",
        "phones", "phone", "contact", "loginEmail", "physicalProperties", "sku", "previousPaymentStatus"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
                    st.sampled_from(["", "USD", "PAID", "FULLY_REFUNDED", "12.5", "x", "2024-01-28T05:32:47.346Z"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6), max_leaves=30)


def token(claims: dict[str, Any]) -> bytes:
    """An unsigned compact JWT (parse never checks the signature: verify does, before it)."""
    def segment(value: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")
    return b".".join([segment({"alg": "RS256"}), segment(claims), b"c2lnbmF0dXJl"])


@settings(max_examples=400, deadline=None)
@given(event_type=st.sampled_from(sorted(TOPICS)), event=JSON, as_string=st.booleans(), identity=JSON)
def test_mapped_event_types_raise_only_payload_invalid(event_type: str, event: Any, as_string: bool,
                                                       identity: Any) -> None:
    envelope = {"eventType": event_type, "instanceId": "site-1", "data": json.dumps(event) if as_string else event,
                "identity": json.dumps(identity)}
    request = InboundRequest("POST", "/", Headers({}), token({"data": json.dumps(envelope)}))
    try:
        events = adapter.parse(request, SOURCE)
    except PayloadInvalid:
        return
    assert isinstance(events, list)


SAMPLES = Path(__file__).resolve().parent / "samples"
DECODED = [json.loads(path.read_text()) for path in sorted(SAMPLES.glob("*.decoded.json"))]
DOCUMENTED = [d["envelope"] for d in DECODED if isinstance(d.get("envelope", {}).get("data"), dict)]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON structure."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_a_documented_event_with_any_one_part_replaced_raises_only_payload_invalid(data: st.DataObject) -> None:
    envelope = copy.deepcopy(data.draw(st.sampled_from(DOCUMENTED)))
    path = data.draw(st.sampled_from(paths(envelope["data"])[1:]))
    parent = envelope["data"]
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = data.draw(JSON)
    envelope = {**envelope, "data": json.dumps(envelope["data"]), "identity": json.dumps(envelope.get("identity"))}
    request = InboundRequest("POST", "/", Headers({}), token({"data": json.dumps(envelope)}))
    try:
        events = adapter.parse(request, SOURCE)
    except PayloadInvalid:
        return
    assert isinstance(events, list)


def order_approved(**order_changes: Any) -> list[dict[str, Any]]:
    """The documented order_approved webhook with some of its order's fields changed, parsed."""
    decoded = json.loads((SAMPLES / "order_approved.decoded.json").read_text())
    envelope = decoded["envelope"]
    envelope["data"]["actionEvent"]["body"]["order"].update(order_changes)
    envelope = {**envelope, "data": json.dumps(envelope["data"]), "identity": json.dumps(envelope.get("identity"))}
    return adapter.parse(InboundRequest("POST", "/", Headers({}), token({"data": json.dumps(envelope)})), SOURCE)


ORDER_PATH = "data.data.actionEvent.body.order"


def test_an_order_keeps_its_first_200_lines_and_names_a_wrong_one_by_its_index() -> None:
    line = {"id": "line-1", "quantity": 1, "price": {"amount": "10.50"}}
    [event] = order_approved(lineItems=[line] * 250)
    assert len(event["commerce"]["items"]) == 200
    assert event["commerce"]["items"][0] == {"id": "line-1", "price": 10.5, "quantity": 1}
    with pytest.raises(PayloadInvalid) as refused:
        order_approved(lineItems=[line, {**line, "price": {"amount": "ten"}}])
    problem = refused.value.problems[0]
    assert (problem.field, problem.value) == (f"{ORDER_PATH}.lineItems[1].price.amount", "ten")


@pytest.mark.parametrize(("changes", "field"), [
    ({"currency": "USD\n"}, f"{ORDER_PATH}.currency"),
    ({"currency": "usd"}, f"{ORDER_PATH}.currency"),
    ({"id": 7}, f"{ORDER_PATH}.id"),
    ({"priceSummary": {"total": {"amount": "1e3"}}}, f"{ORDER_PATH}.priceSummary.total.amount"),
    ({"buyerInfo": "a buyer"}, f"{ORDER_PATH}.buyerInfo"),
])
def test_a_wrong_order_field_is_named_by_its_path(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadInvalid) as refused:
        order_approved(**changes)
    assert refused.value.problems[0].field == field
