"""Two workers on one database with a short lease: every row is delivered, and none twice, however slow
the receiver (claims are sized to the lease, renewed while sending, and each row is recorded once sent)."""

from __future__ import annotations

import time
from collections import Counter
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

LEASE = {"lease_seconds": 5}  # the shortest lease the configuration accepts


def test_two_workers_and_a_slow_receiver_deliver_every_row_once(tmp_path: Path, database_url: str) -> None:
    receiver = Receiver(before_answer=lambda number: time.sleep(0.1))
    try:
        config = gateway_config(tmp_path, database_url, LEASE, hook("hook", receiver))
        first, second = build_app(config), build_app(config)  # two gateways' workers, as on two machines
        sent = send_events(first, 150)  # 15 s of sending: three leases
        with running(worker_of(first), worker_of(second)):
            wait_until(lambda: delivered(first, "hook") == 150, "all 150 rows delivered")
        assert sorted(set(receiver.ids)) == sent, "every event arrived"
        assert [i for i, n in Counter(receiver.ids).items() if n > 1] == [], "none twice"
    finally:
        receiver.close()


def test_a_request_slower_than_the_lease_keeps_its_row(tmp_path: Path, database_url: str) -> None:
    receiver = Receiver(before_answer=lambda number: time.sleep(6.5 if number == 1 else 0))
    try:
        config = gateway_config(tmp_path, database_url, LEASE, hook("hook", receiver, timeout_seconds=10))
        first, second = build_app(config), build_app(config)
        sent = send_events(first, 3)
        with running(worker_of(first), worker_of(second)):
            wait_until(lambda: delivered(first, "hook") == 3, "all 3 rows delivered")
        assert receiver.arrivals == 3, "the other worker never took over the row whose lease was renewed"
        assert sorted(receiver.ids) == sent
    finally:
        receiver.close()
