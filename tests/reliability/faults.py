"""What the storage fault tests share: a gateway under real gunicorn that may start unready, batches sent with
known ids, and what was acknowledged compared with what is stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from tests.support.gateway import WRITE, base_config
from tests.support.server import TAGWAY, RunningGateway, free_port, write_config

CLIENT_TIMEOUT = 5
"""Seconds a client waits for any answer: far less than the faults last."""


def sqlite_config(tmp_path: Path, database: Path, **storage: Any) -> Path:
    """tagway.toml for a gateway on this SQLite file, delivery left to its own process."""
    config = base_config(database)
    config["storage"].update(storage)
    config["delivery"] = {"in_process": False}
    return write_config(tmp_path / "tagway.toml", config)


@contextmanager
def gateway(config: Path, log: Path, ready: bool = True, workers: int = 2) -> Iterator[RunningGateway]:
    """`tagway serve` with 2 sync workers until the block ends, once it answers /healthz (and /readyz if `ready`)."""
    port = free_port()
    handle = log.open("ab")
    process = subprocess.Popen([TAGWAY, "-c", str(config), "serve", "--port", str(port), "--workers", str(workers)],
                               stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    running = RunningGateway(f"http://127.0.0.1:{port}", config, log, process, port)
    try:
        probe = "/readyz" if ready else "/healthz"
        deadline = time.monotonic() + 30
        while not _answers(running.url + probe):
            assert process.poll() is None, f"tagway serve exited with {process.returncode}:\n{running.log()}"
            assert time.monotonic() < deadline, f"{probe} did not answer 200 within 30 s:\n{running.log()}"
            time.sleep(0.1)
        yield running
    finally:
        running.kill(signal.SIGTERM)
        handle.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def send(url: str, ids: list[str]) -> requests.Response:
    """One batch of Lead events with these ids, on a new connection (gunicorn spreads them over its workers)."""
    batch = [{"id": i, "name": "Lead", "properties": {"note": "x" * 200}} for i in ids]
    return requests.post(f"{url}/v1/events", json={"batch": batch}, headers={**WRITE, "Connection": "close"},
                         timeout=CLIENT_TIMEOUT)


def assert_unavailable(answer: requests.Response) -> None:
    """A 503 problem telling the client to retry: nothing of the input was recorded."""
    assert answer.status_code == 503, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.json()["type"] == "urn:tagway:problem:storage-unavailable"


def readiness(url: str) -> tuple[int, dict[str, Any]]:
    """/readyz's status and body, on a new connection."""
    answer = requests.get(f"{url}/readyz", headers={"Connection": "close"}, timeout=CLIENT_TIMEOUT)
    return answer.status_code, answer.json()


def ready_again(url: str, attempts: int = 50) -> dict[str, Any]:
    """/readyz until it answers 200 (a checkpoint may hold the lock a moment after a burst of writes); its last body."""
    for _ in range(attempts):
        status, body = readiness(url)
        if status == 200:
            return body
        time.sleep(0.1)
    return body


def health(url: str) -> int:
    """/healthz's status, on a new connection."""
    return requests.get(f"{url}/healthz", headers={"Connection": "close"}, timeout=CLIENT_TIMEOUT).status_code


class Ledger:
    """Sends batches of fresh ids and remembers which were acknowledged (200) and which refused (503)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acknowledged: set[str] = set()
        self.refused: list[list[str]] = []
        self._next = 0

    def send(self, size: int = 5) -> requests.Response:
        """A batch of new ids."""
        ids = [f"evt-{self._next + n:05d}" for n in range(size)]
        self._next += size
        return self.record(ids, send(self.url, ids))

    def resend_refused(self) -> None:
        """Send every refused batch again, as a client told to retry does; each must now be acknowledged."""
        refused, self.refused = self.refused, []
        for ids in refused:
            answer = self.record(ids, send(self.url, ids))
            assert answer.status_code == 200, answer.text

    def record(self, ids: list[str], answer: requests.Response) -> requests.Response:
        if answer.status_code == 200:
            assert answer.json()["accepted"] == len(ids)
            self.acknowledged.update(ids)
        else:
            self.refused.append(ids)
        return answer


def stored_ids(database: Path) -> set[str]:
    """The event ids in the SQLite file, read directly (the gateway stopped)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT event_id FROM events")}
    finally:
        connection.close()


def can_run(*command: str) -> bool:
    """Whether the command succeeds here (mounts and file attributes need privileges a container may lack)."""
    return os.geteuid() == 0 and subprocess.run(command, capture_output=True, check=False).returncode == 0
