"""Every refused input is answered with its problem and kept (or, for unknown callers past a budget, counted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.registry import ENTRY_POINT_GROUP
from app.storage.records import RejectionQuery
from tests.support.gateway import ADMIN, WRITE, base_config, build_app

CRASHING_KEY = "wk_test_crashing_0123456789"


def rejections(app: Any) -> list[dict[str, Any]]:
    return app.extensions["tagway"].storage.list_rejections(RejectionQuery(limit=1000))


def test_a_batch_over_the_limit_is_413_and_kept(app: Any, client: FlaskClient) -> None:
    batch = {"batch": [{"name": "Lead", "id": f"e{n}"} for n in range(501)]}
    response = client.post("/v1/events", json=batch, headers=WRITE)
    assert response.status_code == 413
    problem = response.get_json()
    assert problem["errors"][0]["field"] == "batch" and "at most 500" in problem["errors"][0]["expectation"]
    kept = client.get(f"/v1/rejections/{problem['rejectionId']}", headers=ADMIN).get_json()
    assert kept["reason"] == "too_large" and json.loads(kept["body"]) == batch


@pytest.fixture
def crashing_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A gateway with an installed third-party adapter whose parse has a bug."""
    dist_info = tmp_path / "site" / "crashing_adapter-0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: crashing-adapter\nVersion: 0\n")
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\ncrashing = tests.support.crashing_adapter:adapter\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    config = base_config(tmp_path / "crash.db")
    config["sources"].append({"id": "buggy", "adapter": "crashing", "write_key": CRASHING_KEY})
    return build_app(config)


def test_an_adapter_that_fails_is_a_500_and_the_input_is_kept_to_replay(crashing_app: Any) -> None:
    client = crashing_app.test_client()
    response = client.post(f"/v1/collect?k={CRASHING_KEY}", data='{"event":"x"}', content_type="text/plain")
    assert response.status_code == 500
    problem = response.get_json()
    assert problem["type"].endswith(":adapter-error")
    assert "'crashing' adapter" in problem["errors"][0]["expectation"]
    kept = client.get(f"/v1/rejections/{problem['rejectionId']}", headers=ADMIN).get_json()
    assert kept["reason"] == "adapter_error" and kept["body"] == '{"event":"x"}'


@pytest.mark.parametrize("route, headers", [
    ("/v1/webhooks/backend", {"Content-Type": "application/xml"}),
    ("/v1/events", {"Content-Type": "application/xml", **WRITE}),
])
def test_a_body_of_an_undocumented_content_type_is_415_and_kept(app: Any, client: FlaskClient, route: str,
                                                               headers: dict[str, str]) -> None:
    response = client.post(route, data="<order/>", headers=headers)
    assert response.status_code == 415
    problem = response.get_json()
    assert problem["errors"][0] == {"field": "Content-Type", "value": "application/xml",
                                    "expectation": "application/json" + (" or text/plain" if "events" in route
                                                                         else "")}
    assert [r["reason"] for r in rejections(app)] == ["content_type"]


def test_unknown_callers_refusals_are_kept_within_a_budget_then_counted(make_app: Any, config: dict[str, Any]) -> None:
    app = make_app(limits={"unauthenticated_rejections": "3/minute"})
    client = app.test_client()
    answers = [client.post("/v1/events", json={"name": "Lead"}, headers={"Authorization": "Bearer wk_guess"})
               for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    assert ["rejectionId" in a.get_json() for a in answers] == [True, True, True, False, False]
    assert len(rejections(app)) == 3
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'tagway_rejections_not_kept_total{reason="auth"} 2.0' in metrics
    # An authenticated source is not held back by the flood.
    assert client.post("/v1/events", json={"name": "Lead"}, headers=WRITE).status_code == 200


def test_an_unknown_callers_kept_body_is_small(client: FlaskClient, app: Any) -> None:
    response = client.post("/v1/webhooks/nobody", data=b"x" * 60_000, content_type="application/json")
    assert response.status_code == 404
    kept = client.get(f"/v1/rejections/{response.get_json()['rejectionId']}", headers=ADMIN).get_json()
    assert len(kept["body"]) == 4096 and kept["bodySize"] == 60_000


@pytest.mark.parametrize("method, path, status, allow", [
    ("PUT", "/v1/collect", 405, "GET, HEAD, OPTIONS, POST"),
    ("DELETE", "/v1/webhooks/backend", 405, "POST"),
    ("PATCH", "/v1/events", 405, "GET, HEAD, OPTIONS, POST"),
    ("POST", "/v1/webhooks/backend/extra", 404, None),
])
def test_a_method_or_path_no_route_takes_is_answered_and_kept(app: Any, client: FlaskClient, method: str, path: str,
                                                              status: int, allow: str | None) -> None:
    response = client.open(path, method=method, data=b'{"name": "Lead"}', content_type="application/json")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.headers.get("Allow") == allow
    kept = client.get(f"/v1/rejections/{response.get_json()['rejectionId']}", headers=ADMIN).get_json()
    assert kept["reason"] == ("method" if status == 405 else "not_found") and kept["body"] == '{"name": "Lead"}'


def test_the_admin_listing_still_answers_get_on_the_events_path(client: FlaskClient) -> None:
    assert client.get("/v1/events", headers=ADMIN).status_code == 200


def test_head_of_a_pixel_is_answered_as_its_get(client: FlaskClient) -> None:
    head, get = client.head("/v1/collect?k=wk_unknown"), client.get("/v1/collect?k=wk_unknown")
    assert head.status_code == get.status_code == 401
    assert head.headers["Content-Type"] == get.headers["Content-Type"] == "application/problem+json"
    assert head.headers["X-Tagway-Problem"] == get.headers["X-Tagway-Problem"]
