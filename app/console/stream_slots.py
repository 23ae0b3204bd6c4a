"""How many live streams may hold a gunicorn worker at once, shared by the workers of one gateway.

A sync worker serves one request at a time, so an open live view holds a whole worker for its time
limit. Webhooks must still be answered within the providers' deadlines (Wix: 1.25 s), so at most half
of the running server's request slots (workers × threads) stream; other live views are answered at
once and poll instead. The running server says how many it has (gunicorn's post_worker_init hook):
the configuration's `workers` need not be what runs (the Procfile's plain `gunicorn`, `--workers 1`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config.model import GatewayConfig

_running_request_slots: int | None = None


def note_running_server(workers: int, threads: int) -> None:
    """Called in each worker by the server that runs the app: how many requests it serves at once."""
    global _running_request_slots
    _running_request_slots = workers * max(threads, 1)


def slot_count(config: GatewayConfig) -> int:
    """Streams allowed at once: half the running server's request slots (else the configured ones), rounded down."""
    slots = _running_request_slots
    if slots is None:
        slots = config.server.workers * config.server.threads
    return slots // 2


def _slot_folder(config: GatewayConfig) -> Path:
    # One folder per gateway (per database), so that gateways on one machine do not share slots.
    key = hashlib.sha256(config.storage.url.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"tagway-console-{key}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextmanager
def stream_slot(config: GatewayConfig) -> Iterator[bool]:
    """Hold a free slot for the block and yield True, or yield False when all are taken.

    The slots are file locks: the kernel releases them when a worker dies, so none is ever lost.
    """
    count = slot_count(config)
    folder = _slot_folder(config) if count else None
    for number in range(count):
        assert folder is not None
        descriptor = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            continue
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
        return
    yield False
