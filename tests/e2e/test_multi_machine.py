"""Two gateways and two delivery workers on one PostgreSQL: 10,000 events, a worker killed with SIGKILL
half-way, the receiver down for part of the run; every event arrives, and duplicates are only
re-deliveries the receiver can drop by the event's id."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
import tomli_w

from tests.support.gateway import SIGNING_SECRET, WRITE, base_config
from tests.support.postgres import fresh_database
from tests.support.server import TAGWAY, free_port, start

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
EVENTS = 10_000
BATCH = 50


def spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen(args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


def received(record: Path) -> list[dict[str, object]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


def test_every_event_reaches_the_receiver_through_kills_and_outages(tmp_path: Path, postgres_url: str) -> None:
    database = fresh_database(postgres_url)
    receiver_port = free_port()
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": database}
    config["delivery"] = {"in_process": False, "lease_seconds": 5, "poll_seconds": 0.1}
    config["destinations"] = [{"id": "receiver", "type": "webhook", "url": f"http://127.0.0.1:{receiver_port}/in",
                               "secret": SIGNING_SECRET, "batch_size": BATCH, "max_attempts": 50}]
    path = tmp_path / "tagway.toml"
    path.write_bytes(tomli_w.dumps(config).encode())
    subprocess.run([TAGWAY, "-c", str(path), "db", "upgrade"], check=True, capture_output=True)

    record = tmp_path / "received.jsonl"
    receiver_args = [sys.executable, "-m", "tests.support.receiver", str(receiver_port), str(record), SIGNING_SECRET]
    gateways = [start(path, tmp_path / f"gateway-{n}.log", workers=1) for n in range(2)]
    workers = [spawn([TAGWAY, "-c", str(path), "worker"], tmp_path / f"worker-{n}.log") for n in range(2)]
    receiver = spawn(receiver_args, tmp_path / "receiver.log")
    sent: set[str] = set()
    try:
        session = requests.Session()
        for number in range(EVENTS // BATCH):
            batch = [{"id": f"evt-{number}-{i}", "name": "Lead", "user": {"memberId": f"m-{i % 7}"}}
                     for i in range(BATCH)]
            gateway = gateways[number % 2]
            response = session.post(f"{gateway.url}/v1/events", json={"batch": batch}, headers=WRITE, timeout=30)
            assert response.status_code == 200 and response.json()["stored"] == BATCH
            sent.update(f"web/{event['id']}" for event in batch)
            if number == (EVENTS // BATCH) // 3:
                kill(receiver)  # the receiver goes down: connections refused, deliveries retried
            if number == (EVENTS // BATCH) // 2:
                kill(workers[0])  # SIGKILL mid-round: its claimed rows come back when their lease ends
            if number == 2 * (EVENTS // BATCH) // 3:
                receiver = spawn(receiver_args, tmp_path / "receiver.log")
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            arrived = {event_id for line in received(record) for event_id in line["ids"]}  # type: ignore[union-attr]
            if arrived >= sent:
                break
            time.sleep(1)
    finally:
        for process in (*workers, receiver):
            kill(process, signal.SIGTERM)
        for gateway in gateways:
            gateway.kill(signal.SIGTERM)

    lines = received(record)
    arrivals = Counter(event_id for line in lines for event_id in line["ids"])  # type: ignore[union-attr]
    assert len(sent) == EVENTS
    missing = sent - set(arrivals)
    assert not missing, f"{len(missing)} events never reached the receiver, e.g. {sorted(missing)[:3]}"
    assert set(arrivals) == sent, "nothing arrived that was not sent"
    assert all(line["verified"] for line in lines), "every delivery carries a valid Standard Webhooks signature"
    duplicates = sum(count - 1 for count in arrivals.values())
    # A duplicate is the same event (same source and id) delivered again after a kill or a lost answer;
    # a receiver drops it by that id. Nothing else may repeat.
    print(f"\n{EVENTS} events sent through 2 gateways, delivered by 2 workers (one killed): "
          f"{sum(arrivals.values())} arrivals, {duplicates} duplicates, {len(lines)} webhook calls")
    assert duplicates <= 2 * 500, "duplicates are bounded by what the killed worker had claimed"
