"""Delivery and PostgreSQL benchmark.

1. Delivery throughput: events stored through the API are forwarded by `tagway worker` to a local
   receiver (a webhook destination, Standard Webhooks signed, batched); printed in events/s, beside
   the same receiver fed directly by one client without the gateway (the baseline of this run).
2. Single-event durable ingest on PostgreSQL against SQLite, both under the same gunicorn settings,
   rounds alternating; PostgreSQL runs with its default durability (fsync, synchronous commit).

    .venv/bin/python bench/delivery.py [--events 50000] [--batch-size 100] [--workers 1] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (
    ROOT,
    VENV_BIN,
    WRITE_KEY,
    Comparison,
    GunicornSettings,
    compare_rounds,
    ensure_wrk,
    free_port,
    gunicorn,
    load_arguments,
    write_config,
)
from ingest import single_event_script

from tests.support.postgres import fresh_database, postgres_server

SIGNING_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HEADERS = {"Authorization": f"Bearer {WRITE_KEY}"}


def destination_config(receiver_port: int, batch_size: int) -> str:
    """A webhook destination to the local receiver; the gateway itself does not deliver (`in_process=false`)."""
    return f"""
[delivery]
in_process = false
poll_seconds = 0.05
claim_size = 1000

[[destinations]]
id = "receiver"
type = "webhook"
url = "http://127.0.0.1:{receiver_port}/in"
secret = "{SIGNING_SECRET}"
batch_size = {batch_size}
"""


def event(number: int, run_id: str) -> dict[str, object]:
    """One AddToCart event of the kind a shop sends."""
    return {"id": f"{run_id}-{number}", "name": "AddToCart", "user": {"anonymousId": f"anon-{number % 997}"},
            "page": {"url": "https://shop.example.com/products/linen-shirt", "title": "Linen shirt"},
            "commerce": {"currency": "USD", "value": 29.5,
                         "items": [{"id": "SKU-1", "name": "Linen shirt", "price": 29.5, "quantity": 1}]}}


def received_count(record: Path) -> int:
    """Events the receiver has recorded (one JSON line per request)."""
    if not record.exists():
        return 0
    return sum(len(json.loads(line)["ids"]) for line in record.read_text().splitlines() if line.strip())


def pending_rows(database: Path) -> int:
    """Outbox rows not yet delivered."""
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM outbox WHERE status != 'delivered'").fetchone()[0])


def spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """A background process in its own session, output to `log`."""
    return subprocess.Popen(args, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group and wait."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


def wait_for_port(port: int, timeout: float = 15) -> None:
    """Until something listens on `port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.post(f"http://127.0.0.1:{port}/ping", data=b'{"data": {"events": []}}', timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def baseline_rate(receiver_port: int, events: list[dict[str, object]], batch_size: int) -> float:
    """Events/s one plain client pushes to the receiver in batches, without the gateway."""
    session = requests.Session()
    started = time.perf_counter()
    for start in range(0, len(events), batch_size):
        body = json.dumps({"type": "tagway.events", "data": {"events": [
            {**e, "source": {"id": "web"}} for e in events[start:start + batch_size]]}})
        session.post(f"http://127.0.0.1:{receiver_port}/in", data=body,
                     headers={"Content-Type": "application/json"}, timeout=30).raise_for_status()
    return len(events) / (time.perf_counter() - started)


def delivery_rate(directory: Path, args: argparse.Namespace) -> tuple[float, float, int]:
    """(gateway events/s, baseline events/s, events received) for one delivery run."""
    receiver_port = free_port()
    config = write_config(directory, destination_config(receiver_port, args.batch_size))
    record = directory / "received.jsonl"
    receiver = spawn([sys.executable, "-m", "tests.support.receiver", str(receiver_port), str(record)],
                     directory / "receiver.log")
    try:
        wait_for_port(receiver_port)
        run_id = uuid.uuid4().hex[:8]
        events = [event(n, run_id) for n in range(args.events)]
        baseline = baseline_rate(receiver_port, events, args.batch_size)
        record.unlink(missing_ok=True)
        # Store every event first (workers stopped), so that the figure is delivery alone.
        with gunicorn("app:create_app()", GunicornSettings(), env={"TAGWAY_CONFIG": str(config)}) as url:
            session = requests.Session()
            for start in range(0, len(events), 500):
                answer = session.post(f"{url}/v1/events", json={"batch": events[start:start + 500]},
                                      headers=HEADERS, timeout=60)
                assert answer.status_code == 200 and answer.json()["stored"] == len(events[start:start + 500])
        database = directory / "bench.db"
        workers = [spawn([str(VENV_BIN / "tagway"), "-c", str(config), "worker"], directory / f"worker-{n}.log")
                   for n in range(args.workers)]
        try:
            # The clock starts at the first delivery: the figure is the delivery rate, not Python's start-up.
            deadline = time.perf_counter() + 600
            while (first_pending := pending_rows(database)) == args.events and time.perf_counter() < deadline:
                time.sleep(0.005)
            started = time.perf_counter()
            while pending_rows(database) and time.perf_counter() < deadline:
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
        finally:
            for process in workers:
                stop(process)
        return first_pending / elapsed, baseline, received_count(record)
    finally:
        stop(receiver)


def ingest_rounds(directory: Path, postgres_url: str, args: argparse.Namespace) -> Comparison:
    """Single-event ingest on SQLite (the baseline) and on PostgreSQL, alternating rounds."""
    sqlite_dir = directory / "sqlite"
    sqlite_dir.mkdir()
    sqlite_config = write_config(sqlite_dir, keep_accepted_inputs=args.keep_accepted_inputs)
    postgres_dir = directory / "postgres"
    postgres_dir.mkdir()
    database = fresh_database(postgres_url)
    postgres_config = write_config(postgres_dir, keep_accepted_inputs=args.keep_accepted_inputs)
    postgres_config.write_text(postgres_config.read_text().replace(
        f'url = "sqlite:///{postgres_dir / "bench.db"}"', f'url = "{database}"'))
    subprocess.run([str(VENV_BIN / "tagway"), "-c", str(postgres_config), "db", "upgrade"], check=True,
                   stdout=subprocess.DEVNULL)
    settings = GunicornSettings(workers=args.gunicorn_workers)
    with gunicorn("app:create_app()", settings, env={"TAGWAY_CONFIG": str(sqlite_config)}) as sqlite_url, \
            gunicorn("app:create_app()", settings, env={"TAGWAY_CONFIG": str(postgres_config)}) as postgres_url_:
        return compare_rounds((sqlite_url, lambda _: single_event_script(uuid.uuid4().hex[:8])),
                              (postgres_url_, lambda _: single_event_script(uuid.uuid4().hex[:8])),
                              args.rounds, args.seconds, args.connections)


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0], "--gunicorn-workers")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="tagway worker processes")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        directory = Path(tmp)
        delivery_dir = directory / "delivery"
        delivery_dir.mkdir()
        rate, baseline, received = delivery_rate(delivery_dir, args)
        print(f"\ndelivery: {args.events} stored events, webhook destination, batches of {args.batch_size}, "
              f"{args.workers} worker process(es)")
        print(f"{'tagway worker -> local receiver':<38} {rate:>9.0f} events/s   (target >= 5,000)")
        print(f"{'plain client -> same receiver':<38} {baseline:>9.0f} events/s   (baseline, no gateway)")
        print(f"{'ratio worker / plain client':<38} {rate / baseline:>9.0%}")
        print(f"events at the receiver: {received} of {args.events}")
        if args.skip_postgres:
            return
        with postgres_server(free_port(), durable=True) as server_url:
            comparison = ingest_rounds(directory, server_url, args)
    print(f"\nsingle-event ingest, gunicorn {args.gunicorn_workers} gateway workers, "
          f"wrk {args.connections} connections, {args.seconds}s x {args.rounds} rounds (medians)")
    comparison.report("POST /v1/events on SQLite", "POST /v1/events on PostgreSQL", "ratio PostgreSQL / SQLite",
                      ">= 50%")

if __name__ == "__main__":
    main()
