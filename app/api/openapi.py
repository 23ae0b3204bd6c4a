"""The OpenAPI 3.1 document: API bodies from the marshmallow schemas, events from the event JSON Schema."""

from __future__ import annotations

import copy
import json
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from app.api import schemas
from app.api.people_schemas import add_people_paths
from app.event.schema import event_schema

API_VERSION = "1.0.0"
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    texts = {400: "Bad input: the errors name each field, value and expectation; the input is kept.",
             401: "Missing or wrong credentials or signature; the input is kept.",
             404: "No such resource.", 405: "The endpoint does not take this method (see Allow); the input is "
                                                 "kept.",
             408: "The request was not sent whole in time (slow client); nothing was read.",
             409: "Cannot be replayed.",
             413: "Too large; the beginning of the input is kept.", 414: "The request line is too long; kept.",
             415: "Unsupported content type; the input is kept.",
             429: "Rate limited (a source's rate limit, or too many wrong admin tokens from this address): "
                  "retry after the Retry-After header.",
             431: "Too many or too large headers; kept.",
             500: "An adapter failed on this input; the input is kept and can be replayed.",
             503: "Storage unavailable: nothing was recorded, retry."}
    return {str(s): {"description": texts[s], "content": _PROBLEM} for s in statuses}


def _components_from_event_schema() -> dict[str, Any]:
    """The event schema's `$defs` as components, with `$ref`s rewritten to point at them."""
    schema = copy.deepcopy(event_schema())
    definitions = schema.pop("$defs")
    schema.pop("$schema", None)
    schema.pop("$id", None)
    components = {"Event": schema, **{f"Event.{name}": body for name, body in definitions.items()}}
    text = json.dumps(components).replace('"#/$defs/', '"#/components/schemas/Event.')
    rewritten: dict[str, Any] = json.loads(text)
    event_input = copy.deepcopy(rewritten["Event"])
    event_input["required"] = ["name"]
    event_input["description"] = ("An event as a client sends it: the gateway fills id, occurredAt, receivedAt "
                                  "and source when absent, and corrects occurredAt by sentAt.")
    # null means "not given": the gateway fills the field.
    client_time = {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339 time with an offset."}
    event_input["properties"]["occurredAt"] = client_time
    event_input["properties"]["sentAt"] = {**client_time, "description": "When the client sent it (clock skew)."}
    event_input["properties"]["id"] = {"anyOf": [rewritten["Event"]["properties"]["id"], {"type": "null"}],
                                       "description": "Send one, so that a retried send is stored once."}
    ignored = {"description": "Set by the gateway; a value sent here is ignored."}
    event_input["properties"]["receivedAt"] = ignored
    event_input["properties"]["source"] = ignored
    page_input = copy.deepcopy(rewritten["Event.page"])
    page_input["required"] = ["url"]
    page_input["description"] = "canonicalUrl and path are computed from url when absent."
    rewritten["EventInput.page"] = page_input
    event_input["properties"]["page"] = {"$ref": "#/components/schemas/EventInput.page"}
    rewritten["EventInput"] = event_input
    rewritten["Batch"] = {
        "type": "object", "required": ["batch"], "additionalProperties": False,
        "description": "Each event is checked on its own (against EventInput): the answer is 200 with a result "
                       "per event, stored, duplicate or rejected with its errors.",
        "properties": {"batch": {"type": "array", "minItems": 1, "maxItems": 500,
                                 "items": {"description": "An EventInput; an invalid one is rejected alone."}},
                       "sentAt": client_time},
    }
    return rewritten


def _parameters(schema: type[Schema]) -> list[dict[str, Any]]:
    return [{"in": "query", "schema": schema}]  # apispec expands a schema into one parameter per field


_SEGMENT_CALL = {
    "type": "object",
    "description": "A call of Segment's Spec (segment.com/docs/connections/spec/): userId or anonymousId, and the "
                   "call's own fields (event and properties, name, traits, groupId, previousId); see "
                   "adapters/segment/README.md for the canonical event each becomes.",
    "properties": {
        "type": {"enum": ["track", "page", "screen", "identify", "group", "alias"]},
        "userId": {"type": ["string", "number", "null"]}, "anonymousId": {"type": ["string", "number", "null"]},
        "previousId": {"type": ["string", "number"]}, "groupId": {"type": ["string", "number"]},
        "event": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
        "properties": {"type": "object"}, "traits": {"type": "object"}, "context": {"type": "object"},
        "integrations": {"type": "object"}, "messageId": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"}, "sentAt": {"type": "string", "format": "date-time"},
        "writeKey": {"type": "string", "description": "The write key, when not sent as the Basic user name."},
    },
}
_SEGMENT_BATCH = {
    "type": "object", "required": ["batch"],
    "description": "Calls each with its type, answered 200 even when some are refused (each alone, with its "
                   "errors); the batch's context is merged into each call's.",
    "properties": {"batch": {"type": "array", "items": {"$ref": "#/components/schemas/SegmentCall"}},
                   "context": {"type": "object"}, "integrations": {"type": "object"},
                   "sentAt": {"type": "string", "format": "date-time"}, "writeKey": {"type": "string"}},
}
_SEGMENT_RESULT = {
    "type": "object", "required": ["success", "accepted", "stored", "duplicates", "rejected"],
    "properties": {"success": {"const": True}, "accepted": {"type": "integer"}, "stored": {"type": "integer"},
                   "duplicates": {"type": "integer"}, "rejected": {"type": "integer"},
                   "results": {"type": "array", "items": {"type": "object"},
                               "description": "The refused calls of a batch: index, rejectionId, errors."}},
}


def _tracking_api(spec: APISpec) -> None:
    """Segment's HTTP Tracking API: one path per call, and the batch."""
    spec.components.schema("SegmentCall", component=_SEGMENT_CALL)
    spec.components.schema("SegmentBatch", component=_SEGMENT_BATCH)
    spec.components.schema("SegmentResult", component=_SEGMENT_RESULT)
    ok = {"200": {"description": "Acknowledged after commit, as Segment answers: success, with the counts.",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SegmentResult"}}}}}
    short = {"t": "track", "p": "page", "s": "screen", "i": "identify", "g": "group", "a": "alias", "b": "batch"}
    for call in ("track", "page", "screen", "identify", "group", "alias", "batch", "import", *short):
        batch = call in ("batch", "import", "b")
        body = {"$ref": f"#/components/schemas/{'SegmentBatch' if batch else 'SegmentCall'}"}
        spec.path(path=f"/v1/{call}", operations={"post": {
            "summary": (f"Segment's {short[call]} call, as Segment's libraries post it" if call in short and not batch
                        else "A batch, as Segment's libraries post it" if call == "b"
                        else f"Segment's {call} call (HTTP Tracking API)" if not batch
                        else "Segment's batch of calls" + (" (historical: no clock-skew correction)"
                                                           if call == "import" else "")),
            "operationId": f"segment{call.title()}", "tags": ["Segment-compatible tracking API"],
            "description": f"At most {'500 KB' if batch else '32 KB'}; a source of the segment adapter, by its write "
                           "key (Basic user name, or writeKey in the body). Errors carry code and message too.",
            "security": [{"writeKeyBasic": []}, {}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {**ok, **_problem_responses(400, 401, 408, 413, 415, 429, 431, 500, 503)},
        }})


def build_openapi(server_url: str, sdk_path: str = "/t") -> dict[str, Any]:
    """The whole document (`sdk_path`: the configured prefix of tagway.js)."""
    spec = APISpec(title="tagway", version=API_VERSION, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()], servers=[{"url": server_url}],
                   info={"description": "Event gateway: browser and webhook inputs in, canonical customer events "
                                        "out. Errors are application/problem+json."})
    for name, body in _components_from_event_schema().items():
        spec.components.schema(name, component=body)
    for name in ("Problem", "IngestResult", "EventPage", "RejectionPage", "RejectionDetail", "ReplayResult",
                 "Health", "DeliveryOverview", "DeliveryPage", "Requeued"):
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    spec.components.security_scheme("writeKey", {"type": "http", "scheme": "bearer",
                                                 "description": "A source's write key."})
    spec.components.security_scheme("writeKeyBasic", {"type": "http", "scheme": "basic",
                                                      "description": "Write key as user name, empty password."})
    spec.components.security_scheme("adminToken", {"type": "http", "scheme": "bearer",
                                                   "description": "The admin token from tagway.toml."})

    ingest_ok = {"200": {"description": "Acknowledged after commit: stored, duplicate or (some) rejected.",
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestResult"}}}}}
    spec.path(path="/v1/events", operations={
        "post": {
            "summary": "Send one canonical event or a batch", "operationId": "sendEvents",
            "security": [{"writeKey": []}, {"writeKeyBasic": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"anyOf": [
                {"$ref": "#/components/schemas/EventInput"}, {"$ref": "#/components/schemas/Batch"}]}}}},
            "responses": {**ingest_ok, **_problem_responses(400, 401, 408, 413, 415, 429, 431, 500, 503)},
        },
        "get": {
            "summary": "List stored events (admin)", "operationId": "listEvents", "security": [{"adminToken": []}],
            "parameters": _parameters(schemas.EventListQuery),
            "responses": {"200": {"description": "A page of events, newest first.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EventPage"}}}},
                **_problem_responses(400, 401, 429, 503)},
        },
    })
    spec.components.security_scheme("writeKeyQuery", {"type": "apiKey", "in": "query", "name": "k",
                                                      "description": "A browser source's write key (k=...)."})
    pixel_headers = {
        "X-Tagway-Result": {"description": "On success: stored, duplicates and rejected counts.",
                            "schema": {"type": "string"}},
        "X-Tagway-Problem": {"description": "On a refusal: the problem's type and first field.",
                             "schema": {"type": "string"}},
        "X-Tagway-Rejection": {"description": "On a refusal: the kept rejection's id.", "schema": {"type": "string"}},
    }
    gif = {"image/gif": {"schema": {"type": "string", "format": "binary"}}}
    pixel_texts = {200: "Acknowledged after commit.", 202: "A chunk of a long payload, kept until all arrive.",
                   400: "Bad input; the input is kept.", 401: "Missing or unknown write key; the input is kept.",
                   429: "Rate limited (a source's rate limit, or too many wrong admin tokens from this address): "
                  "retry after the Retry-After header.",
             431: "Too many or too large headers; kept.",
                   500: "The adapter failed on this input; the input is kept.",
                   503: "Storage unavailable: nothing was recorded, retry."}
    collect_query = [
        {"in": "query", "name": "d", "required": False, "schema": {"type": "string"},
         "description": "The payload (a browser event) as base64url JSON, or one chunk of it."},
        {"in": "query", "name": "i", "required": False, "schema": {"type": "string", "maxLength": 100},
         "description": "A chunked payload's id, the same in each chunk."},
        {"in": "query", "name": "c", "required": False, "schema": {"type": "string"},
         "description": "This chunk's index, from 0."},
        {"in": "query", "name": "n", "required": False, "schema": {"type": "string"},
         "description": "The number of chunks, 2 to 64."},
    ]
    spec.path(path="/v1/collect", operations={
        "get": {
            "summary": "A browser event as a pixel (GTM web template's sendPixel)", "operationId": "collectPixel",
            "description": "A 1x1 GIF when the input is taken; a problem body (no image, so that the tag reports a "
                           "failure) when it is refused; the outcome is also in the X-Tagway-* headers.",
            "security": [{"writeKeyQuery": []}], "parameters": collect_query,
            "responses": {str(status): {"description": text, "headers": pixel_headers,
                                        "content": gif if status < 300 else _PROBLEM}
                          for status, text in pixel_texts.items()},
        },
        "post": {
            "summary": "Browser events in the body (fetch, sendBeacon, the server template)",
            "operationId": "collectEvents", "security": [{"writeKeyQuery": []}, {"writeKey": []}],
            "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}},
                                                          "application/json": {"schema": {}}}},
            "responses": {**ingest_ok, **_problem_responses(400, 401, 408, 413, 415, 429, 431, 500, 503)},
        },
        "options": {
            "summary": "CORS preflight for the origins a source allows", "operationId": "collectPreflight",
            "parameters": [{"in": "header", "name": "Origin", "required": False, "schema": {"type": "string"}}],
            "responses": {"204": {"description": "The origin is allowed."},
                          "403": {"description": "No enabled source allows the origin."}},
        },
    })
    spec.path(path="/v1/webhooks/{source_id}", operations={"post": {
        "summary": "Receive a provider's webhook for a source", "operationId": "receiveWebhook",
        "description": "Verified and parsed by the source's adapter. Pings and handshakes get the answer the "
                       "provider expects; topics that are not customer actions are acknowledged with no events.",
        "parameters": [{"in": "path", "name": "source_id", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": False, "content": {"*/*": {"schema": {}}}},
        "responses": {**ingest_ok, **_problem_responses(400, 401, 404, 408, 413, 415, 429, 431, 500, 503)},
    }})
    _tracking_api(spec)
    spec.path(path="/v1/rejections", operations={"get": {
        "summary": "List kept rejections (admin)", "operationId": "listRejections", "security": [{"adminToken": []}],
        "parameters": _parameters(schemas.RejectionListQuery),
        "responses": {"200": {"description": "A page of rejections, newest first.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RejectionPage"}}}},
            **_problem_responses(400, 401, 429, 503)},
    }})
    rejection_id = {"in": "path", "name": "rejection_id", "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}}
    spec.path(path="/v1/rejections/{rejection_id}", operations={"get": {
        "summary": "One rejection with its input (admin)", "operationId": "getRejection",
        "security": [{"adminToken": []}], "parameters": [rejection_id],
        "responses": {"200": {"description": "The rejection.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RejectionDetail"}}}},
            **_problem_responses(401, 404, 429, 503)},
    }})
    spec.path(path="/v1/rejections/{rejection_id}/replay", operations={"post": {
        "summary": "Replay a kept rejection (admin)", "operationId": "replayRejection",
        "security": [{"adminToken": []}], "parameters": [rejection_id, *_parameters(schemas.ReplayQuery)],
        "responses": {"200": {"description": "The replay ran; `status` and `result` say how it went.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ReplayResult"}}}},
            **_problem_responses(400, 401, 404, 409, 429, 503)},
    }})
    admin: list[dict[str, list[str]]] = [{"adminToken": []}]
    spec.path(path="/v1/deliveries", operations={"get": {
        "summary": "Deliveries per destination: delivered, pending, in flight, dead (admin)",
        "operationId": "deliveryOverview", "security": admin,
        "responses": {"200": {"description": "Counts per destination.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DeliveryOverview"}}}},
            **_problem_responses(401, 429, 503)},
    }})
    spec.path(path="/v1/deliveries/items", operations={"get": {
        "summary": "Deliveries, newest first; status=dead lists dead letters with their last error (admin)",
        "operationId": "listDeliveries", "security": admin, "parameters": _parameters(schemas.DeliveryItemsQuery),
        "responses": {"200": {"description": "A page of deliveries.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DeliveryPage"}}}},
            **_problem_responses(400, 401, 429, 503)},
    }})
    spec.path(path="/v1/deliveries/replay", operations={"post": {
        "summary": "Queue deliveries again: dead letters, or delivered ones too (admin)",
        "operationId": "replayDeliveries", "security": admin,
        "requestBody": {"required": False, "content": {"application/json": {"schema": schemas.DeliveryReplaySchema}}},
        "responses": {"200": {"description": "How many were queued again.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Requeued"}}}},
            **_problem_responses(400, 401, 429, 503)},
    }})
    spec.path(path=sdk_path + "/{file}", operations={"get": {
        "summary": "tagway.js, the browser SDK (<version>.js), cached for a year", "operationId": "getBrowserSdk",
        "description": "The prefix is `[sdk] path`. The snippet printed by `tagway sources add web` names the "
                       "version's file with its Subresource Integrity hash.",
        "parameters": [{"in": "path", "name": "file", "required": True, "schema": {"type": "string"}},
                       {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The script (Cache-Control immutable, an ETag).",
                              "content": {"text/javascript": {"schema": {"type": "string"}}}},
                      "304": {"description": "Not modified (If-None-Match holds the ETag)."},
                      **_problem_responses(404)},
    }})
    add_people_paths(spec, _problem_responses)
    spec.path(path="/v1/schema/event", operations={"get": {
        "summary": "The canonical event JSON Schema (draft 2020-12)", "operationId": "getEventSchema",
        "responses": {"200": {"description": "The schema.", "content": {"application/schema+json": {"schema": {}}}}},
    }})
    spec.path(path="/v1/openapi.json", operations={"get": {
        "summary": "This document", "operationId": "getOpenApi",
        "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {}}}}},
    }})
    health = {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
    spec.path(path="/healthz", operations={"get": {
        "summary": "Liveness: the process answers", "operationId": "healthz",
        "responses": {"200": {"description": "Alive.", "content": health}},
    }})
    spec.path(path="/readyz", operations={"get": {
        "summary": "Readiness: a write would succeed now", "operationId": "readyz",
        "description": "Fails when the database does not answer within a second, is read-only, full, deleted or "
                       "replaced (SQLite), or is not migrated; `reason` says which.",
        "responses": {"200": {"description": "Ready.", "content": health},
                      "503": {"description": "A write would fail; `reason` says why.", "content": health}},
    }})
    spec.path(path="/metrics", operations={"get": {
        "summary": "Prometheus metrics, summed over all worker processes", "operationId": "metrics",
        "responses": {"200": {"description": "Text exposition format.", "content": {"text/plain": {"schema": {
            "type": "string"}}}}},
    }})
    return spec.to_dict()
