"""`/v1/collect`: pixels (a GIF when taken, a problem when refused), chunked payloads, POST with CORS, replay."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask.testing import FlaskClient

from app.gateway import Gateway
from app.ingest.collect import GIF
from app.storage.records import EventQuery, RejectionQuery
from tests.support.gateway import ADMIN, WRITE_KEY, Clock

GTM_KEY = "wk_test_gtm_0123456789abcdef"


@pytest.fixture
def gtm_app(make_app: Any, config: dict[str, Any]) -> Any:
    gtm = {"id": "site", "adapter": "gtm", "write_key": GTM_KEY, "allowed_origins": ["https://*.example.com"],
           "default_currency": "KRW", "rename": {"chat_open": "UserChatOpen"}}
    return make_app(sources=[*config["sources"], gtm])


@pytest.fixture
def gtm_client(gtm_app: Any) -> FlaskClient:
    return gtm_app.test_client()


def payload(event_id: str, push: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"v": 1, "id": event_id, "event": push.get("event"), "data": push,
            "page": {"url": "https://shop.example.com/p/1", "title": "P"}, "user": {"anonymousId": "anon-1"}, **extra}


def encoded(value: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(value, ensure_ascii=False).encode()).decode()


def stored(app: Any) -> list[dict[str, Any]]:
    return [r["event"] for r in reversed(app.extensions["tagway"].storage.list_events(EventQuery(limit=100)))]


def test_a_pixel_stores_the_event_and_answers_a_gif_that_is_never_cached(gtm_app: Any, gtm_client: FlaskClient) -> None:
    response = gtm_client.get("/v1/collect", query_string={
        "k": GTM_KEY, "v": "1", "d": encoded(payload("p-1", {"event": "chat_open", "chatChannel": "web"}))})
    assert response.status_code == 200
    assert response.mimetype == "image/gif" and response.get_data() == GIF
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Tagway-Result"] == "stored 1, duplicates 0, rejected 0"
    [event] = stored(gtm_app)
    assert (event["name"], event["properties"], event["source"]) == (
        "UserChatOpen", {"chatChannel": "web"}, {"id": "site", "adapter": "gtm"})


def test_a_pixel_whose_values_were_cut_short_keeps_its_raw_request(gtm_app: Any, gtm_client: FlaskClient) -> None:
    note = "é" * 400  # 800 UTF-8 bytes: shortened to 512 in the event
    for event_id, push in (("p-whole", {"event": "chat_open"}), ("p-cut", {"event": "chat_open", "note": note})):
        gtm_client.get("/v1/collect", query_string={"k": GTM_KEY, "d": encoded(payload(event_id, push))})
    storage = gtm_app.extensions["tagway"].storage
    cut, whole = storage.list_events(EventQuery())
    assert whole["inputId"] is None, "nothing was cut: the event is what is kept"
    assert cut["event"]["properties"]["cutProperties"] == ["note"]
    kept = storage.get_input(cut["inputId"])
    assert kept is not None and note in base64.b64decode(parse_qs(kept["query"])["d"][0]).decode()


def test_a_retried_pixel_is_stored_once(gtm_app: Any, gtm_client: FlaskClient) -> None:
    query = {"k": GTM_KEY, "d": encoded(payload("p-retry", {"event": "gtm.js"}))}
    gtm_client.get("/v1/collect", query_string=query)
    again = gtm_client.get("/v1/collect", query_string={**query, "z": "second"})
    assert again.headers["X-Tagway-Result"] == "stored 0, duplicates 1, rejected 0"
    assert len(stored(gtm_app)) == 1


@pytest.mark.parametrize("query, status, problem", [
    ({"d": "e30="}, 401, "unauthorized; k: expected the write key of an enabled source"),
    ({"k": "wk_nope_0123456789abcdef", "d": "e30="}, 401, "unauthorized; k"),
    ({"k": WRITE_KEY, "d": "e30="}, 400, "invalid-payload; k: expected the write key of a source whose adapter"),
    ({"k": GTM_KEY}, 400, "invalid-json; d: expected the payload"),
    ({"k": GTM_KEY, "d": "!!!"}, 400, "invalid-json; d: expected base64"),
    ({"k": GTM_KEY, "d": encoded({"v": 1, "id": "x", "event": "purchase", "data": {"event": "purchase"}})}, 400,
     "invalid-event; commerce: expected present: Purchase events need commerce"),
])
def test_refused_pixels_get_a_problem_not_an_image_with_the_reason_and_are_kept(
        gtm_app: Any, gtm_client: FlaskClient, query: dict[str, str], status: int, problem: str) -> None:
    response = gtm_client.get("/v1/collect", query_string=query)
    assert response.status_code == status
    # Not an image, so that the browser's <img> fails and GTM's sendPixel reports the tag as failed.
    assert response.mimetype == "application/problem+json" and not response.get_data().startswith(b"GIF")
    assert response.headers["X-Tagway-Problem"].startswith(problem)
    assert response.headers["Cache-Control"].startswith("no-store")
    rejection = gtm_app.extensions["tagway"].storage.get_rejection(int(response.headers["X-Tagway-Rejection"]))
    assert rejection is not None and rejection["endpoint"] == "collect"
    assert GTM_KEY not in rejection["input"]["query"], "the write key is masked in the kept input"


def test_a_long_payload_travels_in_chunks_in_any_order(gtm_app: Any, gtm_client: FlaskClient) -> None:
    items = [{"item_id": f"SKU-{n}", "item_name": f"한국어 상품 이름 {n}", "price": 1000 + n, "quantity": 1}
             for n in range(40)]
    text = encoded(payload("p-long", {"event": "purchase", "ecommerce": {
        "transaction_id": "T-9", "currency": "KRW", "items": items}}))
    size = 1500
    chunks = [text[i:i + size] for i in range(0, len(text), size)]
    assert len(chunks) >= 3
    answers = []
    for index in reversed(range(len(chunks))):
        answers.append(gtm_client.get("/v1/collect", query_string={
            "k": GTM_KEY, "i": "p-long", "c": str(index), "n": str(len(chunks)), "d": chunks[index]}))
    assert [a.status_code for a in answers] == [202] * (len(chunks) - 1) + [200]
    assert answers[0].headers["X-Tagway-Result"] == f"chunk {len(chunks) - 1} of {len(chunks)} kept"
    [event] = stored(gtm_app)
    assert len(event["commerce"]["items"]) == 40
    assert event["commerce"]["value"] == sum(1000 + n for n in range(40))
    storage = gtm_app.extensions["tagway"].storage
    assert storage.add_chunk("site", "p-long", 0, 2, "x", "2026-11-24T12:00:00.000Z") is None, "chunks were cleared"


@pytest.mark.parametrize("extra, field", [({"n": "1", "c": "0"}, "n"), ({"n": "3", "c": "3"}, "c"),
                                          ({"n": "2", "c": "0", "i": ""}, "i")])
def test_bad_chunk_parameters_are_named(gtm_client: FlaskClient, extra: dict[str, str], field: str) -> None:
    response = gtm_client.get("/v1/collect", query_string={"k": GTM_KEY, "i": "p", "d": "abc", **extra})
    assert response.status_code == 400
    assert response.headers["X-Tagway-Problem"].startswith(f"invalid-payload; {field}:")


def test_incomplete_chunks_expire(gtm_app: Any) -> None:
    storage = gtm_app.extensions["tagway"].storage
    storage.add_chunk("site", "lost", 0, 2, "abc", "2026-11-24T11:00:00.000Z")
    expired = storage.expired_chunks("2026-11-24T11:50:00.000Z")
    assert expired == [{"sourceId": "site", "payloadId": "lost", "received": 1, "parts": 2,
                        "firstAt": "2026-11-24T11:00:00.000Z"}]
    assert storage.expired_chunks("2026-11-24T11:50:00.000Z") == []


def test_post_with_a_batch_and_cors_for_allowed_origins(gtm_app: Any, gtm_client: FlaskClient) -> None:
    body = {"batch": [payload("b-1", {"event": "gtm.js"}), payload("b-2", {"event": "login", "method": "kakao"})]}
    response = gtm_client.post(f"/v1/collect?k={GTM_KEY}", data=json.dumps(body),
                               headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": "https://shop.example.com"})
    assert response.status_code == 200
    assert response.get_json()["stored"] == 2
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert [e["name"] for e in stored(gtm_app)] == ["PageView", "Login"]
    foreign = gtm_client.post(f"/v1/collect?k={GTM_KEY}", data=json.dumps(payload("b-3", {"event": "gtm.js"})),
                              headers={"Content-Type": "text/plain", "Origin": "https://evil.example.org"})
    assert foreign.status_code == 200 and "Access-Control-Allow-Origin" not in foreign.headers


def test_cors_preflight(gtm_client: FlaskClient) -> None:
    allowed = gtm_client.options(f"/v1/collect?k={GTM_KEY}", headers={
        "Origin": "https://www.example.com", "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    refused = gtm_client.options(f"/v1/collect?k={GTM_KEY}", headers={"Origin": "https://other.test"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_post_errors_are_problems_readable_by_the_page(gtm_client: FlaskClient) -> None:
    response = gtm_client.post("/v1/collect", data="{", headers={
        "Authorization": f"Bearer {GTM_KEY}", "Origin": "https://shop.example.com", "Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"


def test_a_refused_pixel_is_replayed_once_the_source_is_fixed(make_app: Any, config: dict[str, Any],
                                                              clock: Clock) -> None:
    gtm = {"id": "site", "adapter": "gtm", "write_key": GTM_KEY}
    strict = make_app(sources=[*config["sources"], gtm])
    push = {"event": "purchase", "ecommerce": {"transaction_id": "T-1", "value": 59000,
                                               "items": [{"item_id": "P1", "price": 59000}]}}
    refused = strict.test_client().get("/v1/collect", query_string={"k": GTM_KEY, "d": encoded(payload("r-1", push))})
    assert refused.status_code == 400  # no currency, and no default for this source
    fixed = make_app(sources=[*config["sources"], {**gtm, "default_currency": "KRW"}])
    replay = fixed.test_client().post(f"/v1/rejections/{refused.headers['X-Tagway-Rejection']}/replay", headers=ADMIN)
    assert replay.get_json()["status"] == 200
    [event] = stored(fixed)
    assert event["commerce"]["currency"] == "KRW"
    assert fixed.extensions["tagway"].storage.list_rejections(RejectionQuery())[0]["replayResult"].startswith(
        "accepted 1")


def test_metrics_count_pixels(gtm_app: Any, gtm_client: FlaskClient) -> None:
    gtm_client.get("/v1/collect", query_string={"k": GTM_KEY, "d": encoded(payload("m-1", {"event": "gtm.js"}))})
    gateway: Gateway = gtm_app.extensions["tagway"]
    text = gateway.metrics.exposition()[0].decode()
    assert 'tagway_http_requests_total{method="GET",route="/v1/collect",status="200"} 1.0' in text


def test_a_write_key_under_an_encoded_name_is_masked_in_the_kept_input(gtm_app: Any, gtm_client: FlaskClient) -> None:
    """`%6B=` is read as `k=` (it authenticates), so the kept input must mask it too."""
    response = gtm_client.get(f"/v1/collect?%6B={GTM_KEY}&v=1&d=not-base64!")
    assert response.status_code == 400  # authenticated by the encoded name, then refused for its payload
    rejection = gtm_app.extensions["tagway"].storage.get_rejection(int(response.headers["X-Tagway-Rejection"]))
    assert GTM_KEY not in rejection["input"]["query"]
    kept = gtm_client.get(f"/v1/rejections/{response.headers['X-Tagway-Rejection']}", headers=ADMIN).get_data(
        as_text=True)
    assert GTM_KEY not in kept
