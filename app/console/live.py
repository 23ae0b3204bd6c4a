"""Live events: the page, the newest rows as JSON, and new rows as server-sent events."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import orjson
from flask import Blueprint, Response, current_app, render_template, request

from app.console.feed import LiveCursor, LiveFeed, LiveFilters, backlog, newest
from app.console.guard import refuse_other_source, viewer_allowed, viewer_source
from app.console.present import Scrubber
from app.console.stream_slots import stream_slot
from app.console.template_download import offers_template
from app.gateway import current_gateway
from app.storage.records import StorageUnavailable

blueprint = Blueprint("live", __name__)
log = logging.getLogger("tagway.console")

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 2.0  # a closed tab is noticed at the next write, which frees the worker
# gunicorn kills a sync worker that is silent for 30 s (its `timeout`): a stream ends well before,
# and the browser's EventSource reconnects with Last-Event-ID.
STREAM_SECONDS = 25.0
RECONNECT_MS = 1000
POLLING_RECONNECT_MS = 2000  # when no stream slot is free: answer at once, come back in 2 s


def _filters() -> LiveFilters | Response:
    """The filters asked for, kept to a viewer link's source (asking for another source is refused)."""
    filters = LiveFilters.from_args(request.args)
    refused = refuse_other_source(filters.source) if filters.source is not None else None
    return refused if refused is not None else filters.within(viewer_source())


@blueprint.get("/live")
@viewer_allowed
def page() -> Response | str:
    """The live events page (the list itself is filled by live.js)."""
    filters = _filters()
    if isinstance(filters, Response):
        return filters
    own = viewer_source()
    gateway = current_gateway()
    sources = [own] if own is not None else sorted(gateway.sources.all())
    source = gateway.sources.get(own) if own is not None else None
    # A viewer link's own GTM source: the page leads to its pre-filled container, so nobody has to send it.
    template_for = own if source is not None and offers_template(gateway.adapters[source.adapter], source) else None
    return render_template("console/live.html", filters=filters, sources=sources, template_for=template_for)


@blueprint.get("/api/live/recent")
@viewer_allowed
def recent() -> Response:
    """The newest matching rows and the cursor to stream from."""
    filters = _filters()
    if isinstance(filters, Response):
        return filters
    storage = current_gateway().storage
    scrub = Scrubber(current_gateway().secrets())
    cursor = newest(storage)  # taken first: a row stored meanwhile is sent twice (and shown once), never lost
    rows = backlog(storage, filters, scrub)
    return Response(orjson.dumps({"rows": rows, "cursor": str(cursor)}), mimetype="application/json")


def _frame(data: bytes | None = None, event_id: str | None = None, comment: str | None = None,
           retry_ms: int | None = None) -> bytes:
    lines = []
    if comment is not None:
        lines.append(b": " + comment.encode())
    if retry_ms is not None:
        lines.append(b"retry: %d" % retry_ms)
    if event_id is not None:
        lines.append(b"id: " + event_id.encode())
    if data is not None:
        lines.append(b"data: " + data)  # orjson never writes a newline
    return b"\n".join(lines) + b"\n\n"


@blueprint.get("/api/live/stream")
@viewer_allowed
def stream() -> Response:
    """New rows as server-sent events, for up to STREAM_SECONDS; resumes from Last-Event-ID or ?after=."""
    filters = _filters()
    if isinstance(filters, Response):
        return filters
    gateway = current_gateway()
    cursor = (LiveCursor.parse(request.headers.get("Last-Event-ID")) or LiveCursor.parse(request.args.get("after"))
              or newest(gateway.storage))
    feed = LiveFeed(gateway.storage, filters, Scrubber(gateway.secrets()), cursor)
    seconds = float(current_app.config.get("TAGWAY_CONSOLE_STREAM_SECONDS", STREAM_SECONDS))

    def frames() -> Iterator[bytes]:
        with stream_slot(gateway.config) as streaming:
            yield _frame(comment="tagway live events", retry_ms=RECONNECT_MS)
            deadline = time.monotonic() + (seconds if streaming else 0.0)
            last_write = time.monotonic()
            while True:
                before = str(feed.cursor)
                try:
                    rows = feed.poll()
                except StorageUnavailable:  # the browser reconnects and resumes from its Last-Event-ID
                    log.warning("live stream ended: storage unavailable")
                    break
                for number, row in enumerate(rows, start=1):  # the cursor goes with the last row of the poll
                    yield _frame(orjson.dumps(row), str(feed.cursor) if number == len(rows) else None)
                if not rows and str(feed.cursor) != before:
                    yield _frame(event_id=str(feed.cursor))  # moves Last-Event-ID past rows filtered out
                if rows or str(feed.cursor) != before:
                    last_write = time.monotonic()
                if time.monotonic() >= deadline:
                    break
                if time.monotonic() - last_write >= HEARTBEAT_SECONDS:
                    yield _frame(comment="heartbeat")
                    last_write = time.monotonic()
                time.sleep(POLL_SECONDS)
            # Tells the page that the reconnection which follows is planned, not a lost connection.
            yield (b"event: reconnect\n" + _frame(b"{}", retry_ms=None if streaming else POLLING_RECONNECT_MS))

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # proxies must not hold the stream back
    return Response(frames(), mimetype="text/event-stream", headers=headers)
