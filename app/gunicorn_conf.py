"""gunicorn settings shared by `tagway serve` and the Procfile's `gunicorn 'app:create_app()'`.

Metrics are summed over worker processes through files in PROMETHEUS_MULTIPROC_DIR; it must be
set before any worker imports the metrics library, which is why it is set when this file loads.
"""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

if not os.environ.get(MULTIPROC_ENV):
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="tagway-metrics-")

# Access logs would print request lines, and a pixel's query string carries a write key.
accesslog = None
errorlog = "-"
timeout = 30
graceful_timeout = 10
# Pixels carry their payload in the URL; the templates keep URLs under 2,000 characters and send
# longer payloads in chunks, but other senders may not.
limit_request_line = 8190
# Requests are read whole before a thread takes them (slow clients), and parser refusals are problems.
worker_class = "app.workers.GatewayWorker"
# No connection kept alive after an answer: its next request would wait behind whatever holds this worker's
# thread (a live view's stream) instead of going to a free worker, as with the sync worker.
keepalive = 0
# gunicorn >= 25 opens a control socket at a fixed path; several gateways on one machine would clash.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Start counting from zero: remove the files of processes from an earlier run."""
    directory = Path(os.environ[MULTIPROC_ENV])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def post_worker_init(worker: Any) -> None:
    """Move the loaded app's objects out of the garbage collector's sight.

    They live as long as the worker; without this every full collection walks all of them
    (tens of milliseconds: a request that lands on one waits that long).
    """
    from app.console.stream_slots import note_running_server

    # The running server, which the configuration's `workers` need not describe (the Procfile's gunicorn).
    note_running_server(worker.cfg.workers, worker.cfg.threads)
    gc.freeze()


def child_exit(server: Any, worker: Any) -> None:
    """Let the metrics of a finished worker stop counting as live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


SETTINGS: dict[str, Any] = {
    "accesslog": accesslog, "errorlog": errorlog, "timeout": timeout, "graceful_timeout": graceful_timeout,
    "limit_request_line": limit_request_line, "control_socket_disable": control_socket_disable,
    "worker_class": worker_class, "keepalive": keepalive,
    "on_starting": on_starting, "post_worker_init": post_worker_init, "child_exit": child_exit,
}
"""Every setting above, for `tagway serve` (the Procfile's gunicorn reads them from gunicorn.conf.py)."""
