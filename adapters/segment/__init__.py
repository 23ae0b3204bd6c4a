"""Segment's HTTP Tracking API: the calls of Segment's (and RudderStack's) client libraries, as canonical events.

Sources of this adapter take `POST /v1/track`, `/v1/page`, `/v1/screen`, `/v1/identify`, `/v1/group`, `/v1/alias`,
`/v1/batch` and `/v1/import`, authenticated by their write key (HTTP Basic user name, or `writeKey` in the body),
so that an app already instrumented with a Segment library sends to tagway by changing its host.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from adapters.sdk import (
    Adapter,
    Batch,
    Event,
    InboundRequest,
    PayloadInvalid,
    Source,
    Unreadable,
    items_of,
    obj,
    opt_obj,
    opt_rfc3339_time,
)

from .mapping import CALL_TYPES, event_of

CALL_OF_PATH = ({f"/v1/{call}": call for call in CALL_TYPES} | {"/v1/batch": "batch", "/v1/import": "import"}
                | {f"/v1/{call[0]}": call for call in CALL_TYPES} | {"/v1/b": "batch"})
"""The Tracking API's endpoints and the call each takes (`/v1/import` is a batch of historical calls).

The one-letter paths are those Segment's own libraries post to: analytics.js one call to `/v1/t`, `/v1/p`, ...
(the call's initial), and analytics.js's batching, the iOS, Android and React Native libraries a batch to `/v1/b`.
"""


class SegmentSettings(Schema):
    """Settings of a Segment-compatible source."""

    trusted_identity = fields.Boolean(load_default=False, metadata={
        "description": "Whether identify and alias calls from this source link ids into one person (true only "
                       "when the write key stays on your servers: a key shipped in an app can be used by anyone).",
        "example": False})


class SegmentAdapter(Adapter):
    """Segment's HTTP Tracking API (Segment Spec: track, page, screen, identify, group, alias, batch)."""

    name = "segment"
    title = "Segment-compatible apps and servers (Segment and RudderStack libraries)"
    settings_schema = SegmentSettings
    content_types = ("application/json", "text/plain")
    receives_webhooks = False
    accepts_write_key = True
    serves_tracking_api = True

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        """The events of one call, or a `Batch` of a batch's calls (each refused on its own when unreadable)."""
        payload = request.json()
        call = CALL_OF_PATH.get(request.path.rstrip("/"))
        if call is None:
            raise PayloadInvalid("path", request.path, f"a Segment endpoint: {', '.join(CALL_OF_PATH)}")
        if not isinstance(payload, dict):
            raise PayloadInvalid("body", payload, f"a JSON object: a Segment {call} call")
        if call not in ("batch", "import"):
            sent_at = opt_rfc3339_time(payload.get("sentAt"), "sentAt")
            return [event_of(payload, call, source.id, request.received_at, sent_at)]
        return self._batch(payload, source, request, historical=call == "import")

    def _batch(self, payload: dict[str, Any], source: Source, request: InboundRequest, historical: bool) -> Batch:
        """Each call of `batch`, with the batch's context merged into its own and the batch's `sentAt`."""
        if "batch" not in payload:
            raise PayloadInvalid("batch", None, "a list of Segment calls, each with its type")
        calls = items_of(payload["batch"], "batch", "a list of Segment calls, each with its type")
        shared = opt_obj(payload.get("context"), "context")
        # Historical imports carry the time each call happened: no clock-skew correction by the batch's sentAt.
        sent_at = None if historical else opt_rfc3339_time(payload.get("sentAt"), "sentAt")
        events: list[Any] = []
        for index, item in enumerate(calls):
            try:
                message = item if type(item) is dict else obj(item, "")
                call = message.get("type")
                if call not in CALL_TYPES:
                    raise PayloadInvalid("type", call, f"the call's type: one of {', '.join(CALL_TYPES)}")
                if shared:
                    own = opt_obj(message.get("context"), "context") or {}
                    message = {**message, "context": {**shared, **own}}
                own_sent = message.get("sentAt")  # rare: a batch's calls share its sentAt
                if own_sent is not None:
                    own_sent = None if historical else opt_rfc3339_time(own_sent, "sentAt")
                events.append(event_of(message, call, source.id, request.received_at, own_sent or sent_at))
            except PayloadInvalid as error:
                # Kept as sent, but for the write key analytics.js writes into each call: a secret is never kept.
                kept = {k: v for k, v in item.items() if k != "writeKey"} if isinstance(item, dict) else item
                # The call's fields are named from its place in the batch (batch[3].timestamp), only on an error.
                events.append(Unreadable(kept, error.under(f"batch[{index}]")))
        return Batch(events, field="batch")

    def setup_steps(self, source: Source, webhook_url: str) -> list[str]:
        """How an app using a Segment or RudderStack library is pointed at the gateway."""
        gateway = webhook_url.split("/v1/webhooks/", 1)[0]
        return [
            f"In your Segment (or RudderStack) library's settings, set the host (API host, data plane URL) to "
            f"{gateway} and the write key to this source's write key; nothing else changes.",
            f"Or call the HTTP Tracking API yourself: POST JSON to {gateway}/v1/track (page, screen, identify, "
            "group, alias, batch) with the write key as the HTTP Basic user name and an empty password.",
            "Calls are answered 200 {\"success\": true}; each is at most 32 KB, a batch at most 500 KB.",
        ]

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None, *,
                        sdk_url: str | None = None) -> str | None:
        """The Python and Node set-up, the key and host filled in."""
        key = write_key or "<write key>"
        return (f"# Python (segment-analytics-python)\n"
                f"import segment.analytics as analytics\n"
                f"analytics.write_key = \"{key}\"\n"
                f"analytics.host = \"{gateway_url}\"\n\n"
                f"// Node (@segment/analytics-node)\n"
                f"const analytics = new Analytics({{ writeKey: \"{key}\", host: \"{gateway_url}\" }})")


adapter = SegmentAdapter()
