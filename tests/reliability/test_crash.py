"""A `tagway worker` process killed in the middle of a round: another worker sends what it had not, and
the only event that arrives twice is the one whose request was in flight when it died."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import tomli_w

from tests.reliability.support import Receiver, delivered, gateway_config, hook, running, send_events, wait_until
from tests.reliability.support import worker_of as in_process_worker
from tests.support.gateway import build_app
from tests.support.server import TAGWAY

KILLED_AT = 5  # with claims of 3 rows: the second row of the worker's second claim


def test_a_killed_worker_resends_at_most_the_row_in_flight(tmp_path: Path, database_url: str) -> None:
    victim: list[subprocess.Popen[bytes]] = []

    def kill_mid_round(number: int) -> None:
        if number == KILLED_AT:  # while this request waits for its answer
            os.kill(victim[0].pid, signal.SIGKILL)
            victim[0].wait(10)

    receiver = Receiver(before_answer=kill_mid_round)
    try:
        # Lease 6 s, timeout 1 s: three calls fit in half the lease, so the worker claims 3 rows at a time.
        config = gateway_config(tmp_path, database_url, {"lease_seconds": 6},
                                hook("hook", receiver, timeout_seconds=1))
        app = build_app(config)
        sent = send_events(app, 12)
        path = tmp_path / "tagway.toml"
        path.write_bytes(tomli_w.dumps(config).encode())
        with (tmp_path / "worker.log").open("ab") as log:
            victim.append(subprocess.Popen([TAGWAY, "-c", str(path), "worker"], stdout=log, stderr=subprocess.STDOUT))
        try:
            wait_until(lambda: victim[0].poll() is not None, "the worker killed by the receiver")
            assert victim[0].returncode == -signal.SIGKILL
            assert delivered(app, "hook") == KILLED_AT - 1, "each row was recorded as soon as it was sent"
            with running(in_process_worker(app)):  # takes the dead worker's rows once their lease ends
                wait_until(lambda: delivered(app, "hook") == 12, "all 12 rows delivered")
        finally:
            if victim[0].poll() is None:
                victim[0].kill()
                victim[0].wait(10)
        arrivals = Counter(receiver.ids)
        assert sorted(arrivals) == sent, "every event arrived"
        assert {i: n for i, n in arrivals.items() if n > 1} == {sent[KILLED_AT - 1]: 2}, \
            "only the row in flight was sent again"
    finally:
        receiver.close()
