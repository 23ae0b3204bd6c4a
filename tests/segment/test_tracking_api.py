"""The tracking API's answers, limits, refusals and kept inputs, through the routes of a gateway on a SQLite file."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adapters.segment import CALL_OF_PATH
from app.ingest.segment_api import TRACKING_PATHS
from tests.support.gateway import ADMIN, FROZEN_NOW, WRITE_KEY, Clock, base_config, build_app

SEGMENT_KEY = "wk_segment_api_0123456789abcdef"
TAGWAY = str(Path(sys.executable).parent / "tagway")


def basic(key: str) -> dict[str, str]:
    """The write key as Segment's libraries send it: the HTTP Basic user name, an empty password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    config = base_config(tmp_path / "segment.db")
    config["sources"].append({"id": "app", "adapter": "segment", "write_key": SEGMENT_KEY})
    return build_app(config, Clock(FROZEN_NOW))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def stored(client: FlaskClient) -> list[dict[str, Any]]:
    page = client.get("/v1/events", query_string={"source": "app", "limit": 500}, headers=ADMIN).get_json()
    return [row["event"] for row in reversed(page["items"])]


def kept(client: FlaskClient, rejection_id: int) -> dict[str, Any]:
    return dict(client.get(f"/v1/rejections/{rejection_id}", headers=ADMIN).get_json())


def track(**fields: Any) -> dict[str, Any]:
    return {"type": "track", "userId": "u-1", "event": "Song Played", **fields}


def test_a_call_is_answered_as_segment_answers(client: FlaskClient) -> None:
    response = client.post("/v1/track", json=track(messageId="m-1"), headers=basic(SEGMENT_KEY))
    assert response.status_code == 200
    assert response.get_json() == {"success": True, "accepted": 1, "stored": 1, "duplicates": 0, "rejected": 0}
    assert [event["id"] for event in stored(client)] == ["m-1"]


def test_one_bad_call_of_a_batch_is_refused_alone_and_kept(client: FlaskClient) -> None:
    batch = [track(messageId="ok-1"), {"type": "track", "userId": "u-1", "messageId": "no-name"},
             {"type": "launch", "userId": "u-1"}, track(messageId="ok-2"), "not a call",
             track(messageId="deep", event="Order Completed", properties={"total": 5, "products": [
                 {"product_id": "p-1"}, {"name": "no id"}]})]
    response = client.post("/v1/batch", json={"batch": batch}, headers=basic(SEGMENT_KEY))
    body = response.get_json()
    assert response.status_code == 200 and body["success"] is True
    assert (body["stored"], body["rejected"]) == (2, 4)
    assert [(item["index"], item["errors"][0]["field"]) for item in body["results"]] == [
        (1, "batch[1].event"), (2, "batch[2].type"), (4, "batch[4]"), (5, "batch[5].properties.products[1].product_id")]
    assert [event["id"] for event in stored(client)] == ["ok-1", "ok-2"]
    first = kept(client, body["results"][0]["rejectionId"])
    assert first["reason"] == "schema" and first["eventIndex"] == 1
    assert json.loads(first["body"]) == batch[1], "the refused call is kept as it was sent"


def test_the_batch_context_is_merged_into_each_call(client: FlaskClient) -> None:
    body = {"batch": [track(messageId="c-1", context={"locale": "ko-KR"})],
            "context": {"device": {"type": "phone", "name": "Apple iPhone 6"}, "locale": "en-US"}}
    assert client.post("/v1/batch", json=body, headers=basic(SEGMENT_KEY)).status_code == 200
    context = stored(client)[0]["context"]
    assert context["device"] == {"type": "phone", "name": "Apple iPhone 6"}
    assert context["locale"] == "ko-KR", "the call's own context wins"


def test_a_write_key_in_the_body_authenticates_and_is_never_kept(client: FlaskClient) -> None:
    refused = client.post("/v1/track", json={"userId": "u-1", "writeKey": SEGMENT_KEY})  # no event name
    body = refused.get_json()
    assert refused.status_code == 400 and body["errors"][0]["field"] == "event"
    input_kept = kept(client, body["rejectionId"])
    assert SEGMENT_KEY not in json.dumps(input_kept)
    assert json.loads(input_kept["body"])["writeKey"] == "***"
    assert client.post("/v1/track", json=track(writeKey=SEGMENT_KEY)).status_code == 200


def test_a_key_written_into_each_call_is_not_kept(client: FlaskClient) -> None:
    """analytics.js's batches carry the key in each call; a refused call is kept without it."""
    body = {"batch": [track(messageId="k-1", writeKey=SEGMENT_KEY), {"type": "track", "writeKey": SEGMENT_KEY}]}
    answer = client.post("/v1/batch", json=body, headers=basic(SEGMENT_KEY)).get_json()
    assert (answer["stored"], answer["rejected"]) == (1, 1)
    refused = kept(client, answer["results"][0]["rejectionId"])
    assert SEGMENT_KEY not in json.dumps(refused) and json.loads(refused["body"]) == {"type": "track"}


def test_an_unknown_key_in_the_body_is_not_kept_either(client: FlaskClient) -> None:
    wrong = "wk_guess_0123456789"
    response = client.post("/v1/batch", json={"batch": [track()], "writeKey": wrong})
    assert response.status_code == 401
    assert wrong not in json.dumps(kept(client, response.get_json()["rejectionId"]))


def test_a_short_guessed_key_is_masked_without_touching_the_rest(client: FlaskClient) -> None:
    response = client.post("/v1/track", json={"userId": "ab", "event": "x", "writeKey": "ab"})
    assert response.status_code == 401
    assert json.loads(kept(client, response.get_json()["rejectionId"])["body"]) == {
        "userId": "ab", "event": "x", "writeKey": "***"}


def test_errors_carry_the_code_and_message_segments_libraries_read(client: FlaskClient) -> None:
    body = client.post("/v1/track", json={"userId": "u-1"}, headers=basic(SEGMENT_KEY)).get_json()
    assert body["code"] == "invalid-payload"
    assert body["message"].startswith("The payload cannot be turned into events: event: expected")


def test_a_key_of_another_kind_of_source_is_refused(client: FlaskClient) -> None:
    response = client.post("/v1/track", json=track(), headers=basic(WRITE_KEY))
    assert response.status_code == 401
    assert "takes Segment calls (segment)" in response.get_json()["errors"][0]["expectation"]


def test_segments_size_limits_are_refused_with_413(client: FlaskClient) -> None:
    big = track(properties={"text": "x" * (32 * 1024)})
    call = client.post("/v1/track", json=big, headers=basic(SEGMENT_KEY))
    assert call.status_code == 413 and "at most 32 KB per call" in call.get_json()["message"]
    calls = [track(messageId=str(i), properties={"text": "x" * 400}) for i in range(1010)]
    body = json.dumps({"batch": calls}).encode()
    assert 500 * 1024 < len(body) < 512 * 1024, "over Segment's limit, within the gateway's request limit"
    batch = client.post("/v1/batch", data=body, headers={**basic(SEGMENT_KEY), "Content-Type": "application/json"})
    assert batch.status_code == 413 and "at most 500 KB per batch" in batch.get_json()["message"]
    assert stored(client) == []


def test_a_gzip_body_is_read_and_a_broken_one_refused_and_kept(client: FlaskClient) -> None:
    headers = {**basic(SEGMENT_KEY), "Content-Encoding": "gzip", "Content-Type": "application/json"}
    packed = gzip.compress(json.dumps({"batch": [track(messageId="z-1")]}).encode())
    assert client.post("/v1/batch", data=packed, headers=headers).status_code == 200
    assert [event["id"] for event in stored(client)] == ["z-1"]
    broken = client.post("/v1/batch", data=packed[:-12], headers=headers)
    assert broken.status_code == 400 and broken.get_json()["errors"][0]["expectation"].startswith("a whole gzip")
    assert kept(client, broken.get_json()["rejectionId"])["reason"] == "payload"


def test_import_takes_historical_times_as_they_are(client: FlaskClient) -> None:
    old = track(messageId="old-1", timestamp="2024-01-02T03:04:05.000Z")
    body = {"batch": [old], "sentAt": "2026-11-24T11:59:59.000Z"}
    on_batch = client.post("/v1/batch", json=body, headers=basic(SEGMENT_KEY)).get_json()
    assert on_batch["rejected"] == 1, "more than a year between timestamp and sentAt: not a clock to correct"
    assert on_batch["results"][0]["errors"][0]["field"] == "batch[0].sentAt"
    assert client.post("/v1/import", json=body, headers=basic(SEGMENT_KEY)).get_json()["stored"] == 1
    assert stored(client)[0]["occurredAt"] == "2024-01-02T03:04:05.000Z"


def test_sent_at_corrects_the_device_clock(client: FlaskClient) -> None:
    # The device's clock is an hour fast: it says it sent at 13:00:05, 5 s after the call; the gateway got it at 12:00.
    call = track(messageId="skew-1", timestamp="2026-11-24T13:00:00.000Z", sentAt="2026-11-24T13:00:05.000Z")
    assert client.post("/v1/track", json=call, headers=basic(SEGMENT_KEY)).status_code == 200
    assert stored(client)[0]["occurredAt"] == "2026-11-24T11:59:55.000Z"


def test_a_refused_call_is_replayed_through_the_segment_adapter(client: FlaskClient) -> None:
    refused = client.post("/v1/screen", json={"anonymousId": "a-1", "name": "Home", "messageId": "s-1"},
                          headers=basic("wk_not_yet_configured_0123"))
    assert refused.status_code == 401
    replay = client.post(f"/v1/rejections/{refused.get_json()['rejectionId']}/replay", query_string={"source": "app"},
                         headers=ADMIN)
    assert replay.status_code == 200, replay.get_json()
    assert [(event["id"], event["name"]) for event in stored(client)] == [("s-1", "ScreenView")]


def test_every_tracking_endpoint_is_routed_and_in_the_openapi_document(client: FlaskClient) -> None:
    assert set(TRACKING_PATHS) == set(CALL_OF_PATH), "the gateway serves every path the adapter reads"
    paths = client.get("/v1/openapi.json").get_json()["paths"]
    for path in TRACKING_PATHS:
        assert "post" in paths[path]


def test_the_paths_segments_own_libraries_post_to(client: FlaskClient) -> None:
    """analytics.js posts one call to /v1/t (text/plain, writeKey in the body); mobile libraries batch to /v1/b."""
    single = client.post("/v1/t", data=json.dumps(track(messageId="ajs-1", writeKey=SEGMENT_KEY)),
                         headers={"Content-Type": "text/plain"})
    assert single.status_code == 200, single.get_json()
    mobile = {"batch": [{"type": "screen", "anonymousId": "a-1", "name": "Home", "messageId": "ios-1",
                         "context": {"os": {"name": "iOS", "version": "18.1"}}}], "sentAt": "2026-11-24T12:00:00Z"}
    assert client.post("/v1/b", json=mobile, headers=basic(SEGMENT_KEY)).status_code == 200
    assert [(event["id"], event["name"]) for event in stored(client)] == [("ajs-1", "SongPlayed"),
                                                                          ("ios-1", "ScreenView")]


def test_sources_add_segment_prints_the_host_and_key_to_set(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TAGWAY, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)

    assert run("init", "--public-url", "https://events.example.com").returncode == 0
    result = run("sources", "add", "segment", "--id", "server", "--setting", "trusted_identity=true")
    assert result.returncode == 0, result.stderr
    key = next(line.split()[-1] for line in result.stdout.splitlines() if line.startswith("Write key:"))
    assert key.startswith("wk_")
    assert "set the host (API host, data plane URL) to https://events.example.com" in result.stdout
    assert f'analytics.write_key = "{key}"' in result.stdout
    assert 'host: "https://events.example.com"' in result.stdout
    assert "Webhook URL" not in result.stdout
    listed = run("sources", "list").stdout
    assert "server  [segment]  active" in listed


def test_a_retried_batch_is_stored_once_on_either_engine(database_url: str) -> None:
    """The batch's calls and their refused one land in one transaction; a retry of it adds nothing."""
    config = base_config(Path("unused.db"))
    config["storage"] = {"url": database_url}
    config["sources"].append({"id": "app", "adapter": "segment", "write_key": SEGMENT_KEY})
    client = build_app(config, Clock(FROZEN_NOW)).test_client()
    body = {"batch": [track(messageId="e-1"), track(messageId="e-2"), {"type": "track", "userId": "u-1"}]}
    first = client.post("/v1/batch", json=body, headers=basic(SEGMENT_KEY)).get_json()
    again = client.post("/v1/batch", json=body, headers=basic(SEGMENT_KEY)).get_json()
    assert (first["stored"], first["rejected"]) == (2, 1)
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 2, 1)
    assert sorted(event["id"] for event in stored(client)) == ["e-1", "e-2"]
