"""Cafe24 mapping on arbitrary JSON: for every mapped event number, bad input raises only PayloadInvalid."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.base import Headers, InboundRequest, PayloadInvalid, Source
from adapters.cafe24 import adapter
from adapters.cafe24.mapping import EVENTS

SOURCE = Source("cafe24", "cafe24", {"api_key": "unused by parse"})
KEYS = ["mall_id", "event_shop_no", "order_id", "currency", "order_date", "member_id", "buyer_email",
        "buyer_cellphone", "buyer_phone", "paid", "payment_date", "order_price_amount", "actual_payment_amount",
        "shipping_fee", "payment_method", "ordering_product_code", "ordering_product_name", "created_date", "email",
        "cellphone", "phone", "group_name", "inflow_name", "product_no", "variant_code", "quantity"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
                    st.sampled_from(["", "T", "F", "KRW", "24680.00", "1", "²", "a,b", "2020-07-17T15:28:14+09:00"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=8), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(event_no=st.sampled_from(sorted(EVENTS)), resource=JSON, wrapped=st.booleans())
def test_mapped_event_numbers_raise_only_payload_invalid(event_no: int, resource: Any, wrapped: bool) -> None:
    body = {"event_no": event_no, "resource": resource} if wrapped else (
        {"event_no": event_no, **resource} if isinstance(resource, dict) else resource)
    request = InboundRequest("POST", "/", Headers({}), json.dumps(body).encode())
    try:
        events = adapter.parse(request, SOURCE)
    except PayloadInvalid:
        return
    assert isinstance(events, list)


SAMPLE_FILES = sorted((Path(__file__).resolve().parent / "samples").glob("*.json"))
SAMPLES = [json.loads(path.read_text()) for path in SAMPLE_FILES]


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_a_sample_with_any_one_field_replaced_raises_only_payload_invalid(data: st.DataObject) -> None:
    body = copy.deepcopy(data.draw(st.sampled_from(SAMPLES)))
    fields = body.get("resource", body)
    fields[data.draw(st.sampled_from(sorted(fields)))] = data.draw(JSON)
    request = InboundRequest("POST", "/", Headers({}), json.dumps(body).encode())
    try:
        events = adapter.parse(request, SOURCE)
    except PayloadInvalid:
        return
    assert isinstance(events, list)
