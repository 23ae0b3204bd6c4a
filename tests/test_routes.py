"""The routes: every endpoint is in Flask's URL map and in the OpenAPI document, and the ingestion routes answer
the same whether the hot path or Flask's own dispatch serves them."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for

from app.ingest.routes import ROUTES
from tests.support.gateway import ADMIN, WRITE

# Flask's own rules that are not part of the API (the console has its own pages, not an API contract).
NOT_API = ("/console", "/static")
AUTOMATIC = {"HEAD", "OPTIONS"}


def _openapi_path(rule: str) -> str:
    return rule.replace("<int:", "{").replace("<", "{").replace(">", "}")


def _flask_operations(app: Flask) -> dict[str, set[str]]:
    operations: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(NOT_API):
            continue
        declared = set(rule.methods or ()) - AUTOMATIC
        if rule.endpoint.startswith("ingest.") and "OPTIONS" in (rule.methods or ()) and \
                "OPTIONS" in next(r for r in ROUTES if r.endpoint == rule.endpoint).handlers:
            declared.add("OPTIONS")  # the collect route answers CORS preflights itself
        operations.setdefault(_openapi_path(rule.rule), set()).update(m.lower() for m in declared)
    return operations


def test_every_flask_route_is_in_the_openapi_document_and_back(app: Flask, client: Any) -> None:
    document = client.get("/v1/openapi.json").get_json()
    documented = {path: set(operations) for path, operations in document["paths"].items()}
    assert _flask_operations(app) == documented


def test_the_ingestion_routes_are_in_flasks_url_map(app: Flask) -> None:
    with app.test_request_context():
        assert url_for("ingest.events") == "/v1/events"
        assert url_for("ingest.collect") == "/v1/collect"
        assert url_for("ingest.webhook", source_id="shop") == "/v1/webhooks/shop"


def test_flasks_dispatch_answers_as_the_hot_path(app: Flask, client: Any) -> None:
    """The same handler behind both: an event sent through Flask's view is stored like one through the hot path."""
    hot = client.post("/v1/events", json={"name": "Lead", "id": "via-hot-path"}, headers=WRITE)
    view = app.view_functions["ingest.events"]
    with app.test_request_context("/v1/events", method="POST", json={"name": "Lead", "id": "via-flask"},
                                  headers=WRITE):
        answered = view()
    assert hot.status_code == answered.status_code == 200
    assert hot.get_json()["stored"] == answered.get_json()["stored"] == 1
    listed = client.get("/v1/events", headers=ADMIN).get_json()
    assert {"via-hot-path", "via-flask"} <= {row["event"]["id"] for row in listed["items"]}
