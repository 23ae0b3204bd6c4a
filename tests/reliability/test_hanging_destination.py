"""A destination that hangs holds only itself: a healthy one listed after it gets every event meanwhile."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.reliability.support import (
    Receiver,
    delivered,
    gateway_config,
    hook,
    running,
    send_events,
    wait_until,
    worker_of,
)
from tests.support.gateway import build_app


def test_a_hanging_destination_never_delays_a_healthy_one(tmp_path: Path, database_url: str) -> None:
    answer = threading.Event()
    hanging = Receiver(before_answer=lambda number: answer.wait(90))  # reads the request, then never answers
    healthy = Receiver()
    try:
        # The hanging destination's timeout outlasts the wait below: its first call is still open at the end.
        stuck_hook = hook("stuck", hanging, timeout_seconds=60)
        app = build_app(gateway_config(tmp_path, database_url, {}, stuck_hook, hook("healthy", healthy)))
        sent = send_events(app, 20)
        worker = worker_of(app)
        assert [lane.destination.id for lane in worker.lanes] == ["stuck", "healthy"], "the hanging one first"
        with running(worker):
            wait_until(lambda: delivered(app, "healthy") == 20, "all 20 events delivered to the healthy destination")
            stuck = (hanging.arrivals, hanging.answered, delivered(app, "stuck"))
            answer.set()  # the hang ends, so that the worker can stop
        assert healthy.ids == sent, "every event, once, in order"
        assert stuck == (1, 0, 0), "meanwhile the hanging destination still held its first request"
    finally:
        answer.set()
        hanging.close()
        healthy.close()
