"""Wix mapping on arbitrary JSON: for every mapped event type, bad input raises only PayloadInvalid."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

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
