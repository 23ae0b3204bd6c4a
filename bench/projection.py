"""People projection benchmark: throughput from a backlog, lag under steady traffic, timeline query time.

1. Throughput: a backlog of mixed traffic (browsing in visits, verified logins, chats, webhook purchases) is
   stored, then projected from the first event; printed in events/s (wall clock) and per CPU second of the
   projecting process (steadier on a shared machine), beside this run's baseline: reading and decoding the
   same events without projecting them.
2. Lag: a writer process stores events at a steady rate while a projecting loop runs as the worker's lane
   does; the lag of each event is the time from its storing to its projection (p50, p99, max).
3. Timeline: one person with many events among the backlog; the first page of their timeline, repeated.

    .venv/bin/python bench/projection.py [--events 1000000] [--heavy 10000] [--rate 2000] [--lag-seconds 60]
                                         [--engine sqlite|postgresql] [--skip throughput,lag,timeline]

Try it small first: --events 20000 --heavy 2000 --lag-seconds 5.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.times import format_time
from app.config.loader import load_config
from app.gateway import Gateway
from app.projections import ProjectionRunner
from app.projections.people.queries import People
from app.registry import discover_adapters
from app.storage.migrations import upgrade
from bench.people_traffic import store_traffic, traffic
from tests.people.support import people_config
from tests.support.postgres import fresh_database, postgres_server
from tests.support.server import free_port


def gateway_on(url: str, directory: Path) -> Gateway:
    """A gateway (browser, API and webhook sources) on a migrated database."""
    path = directory / "tagway.toml"
    path.write_text(tomli_w.dumps(people_config(url)))
    upgrade(url)
    adapters = discover_adapters()
    return Gateway.build(load_config(path, adapters, {}), adapters)


def read_only_rate(gateway: Gateway, batch: int) -> float:
    """Events/s of reading and decoding every event in seq order, batch by batch: the floor of any projection."""
    storage, position, count = gateway.storage, 0, 0
    started = time.perf_counter()
    while True:
        with storage.transaction() as connection:
            rows = connection.execute(storage.sql("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?"),
                                      (position, batch)).fetchall()
        if not rows:
            return count / (time.perf_counter() - started)
        count += len([orjson.loads(body) for _, body in rows])
        position = rows[-1][0]


def throughput(gateway: Gateway, events: int) -> None:
    """Project a stored backlog from the first event."""
    print(f"storing a backlog of {events:,} events ...", flush=True)
    store_traffic(gateway.storage, traffic(events, visitors=max(events // 40, 10)))
    runner = gateway.projection_runner()
    runner.reset("people")
    baseline = read_only_rate(gateway, runner.batch_size)
    wall, cpu = time.perf_counter(), time.process_time()
    applied = runner.catch_up("people", runner.newest_seq())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"throughput: {applied / wall:,.0f} events/s ({applied / cpu:,.0f} per CPU second of this process; "
          f"batches of {runner.batch_size}); reading and decoding alone: {baseline:,.0f} events/s "
          f"(projection at {applied / wall / baseline:.2f} of it)")


def _writer(url: str, directory: str, rate: int, seconds: float, start: Any) -> None:
    """Store `rate` events a second, in ticks of 10 ms, with receivedAt the wall clock at storing."""
    gateway = gateway_on(url, Path(directory))
    source = traffic(int(rate * seconds) + rate, visitors=max(rate * 5, 10), seed=11)
    start.wait()
    began, sent = time.monotonic(), 0
    while (elapsed := time.monotonic() - began) < seconds:
        due = int(elapsed * rate) - sent
        if due > 0:
            now = format_time(datetime.now(UTC))
            chunk = [{**next(source), "receivedAt": now, "occurredAt": now} for _ in range(due)]
            store_traffic(gateway.storage, iter(chunk), batch=len(chunk))
            sent += due
        time.sleep(0.01)


def lag(gateway: Gateway, url: str, directory: Path, rate: int, seconds: float) -> None:
    """Project while a writer process stores at a steady rate; each event's time from storing to projection."""
    runner: ProjectionRunner = gateway.projection_runner()
    runner.catch_up("people", runner.newest_seq())
    start = multiprocessing.get_context("spawn").Event()
    writer = multiprocessing.get_context("spawn").Process(
        target=_writer, args=(url, str(directory / "writer"), rate, seconds, start))
    (directory / "writer").mkdir()
    writer.start()
    lags: list[float] = []
    position, halt = runner.position("people"), threading.Event()
    start.set()
    while writer.is_alive() or runner.position("people") < runner.newest_seq():
        applied = runner.run_round(halt)
        now = datetime.now(UTC)
        new_position = runner.position("people")
        if new_position > position:
            with gateway.storage.transaction() as connection:
                received = connection.execute(gateway.storage.sql(
                    "SELECT received_at FROM events WHERE seq > ? AND seq <= ?"), (position, new_position)).fetchall()
            lags += [(now - datetime.fromisoformat(r[0])).total_seconds() for r in received]
            position = new_position
        if not applied:
            time.sleep(gateway.config.delivery.poll_seconds)
    writer.join()
    lags.sort()
    print(f"lag at {rate:,} events/s for {seconds:g} s ({len(lags):,} events): p50 {_pct(lags, 50):.3f} s, "
          f"p99 {_pct(lags, 99):.3f} s, max {lags[-1] if lags else 0:.3f} s")


def timeline(gateway: Gateway, heavy: int, queries: int = 200) -> None:
    """The first page of the timeline of a person with `heavy` events among the backlog."""
    store_traffic(gateway.storage, _heavy_visitor(heavy))
    runner = gateway.projection_runner()
    runner.catch_up("people", runner.newest_seq())
    people = People(gateway.storage)
    [person] = people.find("heavy-visitor")
    times = []
    for _ in range(queries):
        started = time.perf_counter()
        page = people.timeline(person)
        times.append(time.perf_counter() - started)
    times.sort()
    events = people.profile(person)["counts"]["events"]  # type: ignore[index]
    print(f"timeline of a person with {events:,} events (first page: {sum(len(s['events']) for s in page['sessions'])} "
          f"events in {len(page['sessions'])} sessions): "
          f"p50 {_pct(times, 50) * 1000:.1f} ms, p99 {_pct(times, 99) * 1000:.1f} ms")


def _heavy_visitor(count: int) -> Iterator[dict[str, Any]]:
    for event in traffic(count, visitors=1, seed=99):
        user = event["user"]
        for key in ("anonymousId",):
            if key in user:
                user[key] = "heavy-visitor"
        if "memberId" in user:
            user["memberId"] = "heavy-member"
        yield event


def _pct(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * percent / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="backlog size")
    parser.add_argument("--heavy", type=int, default=10_000, help="events of the person whose timeline is read")
    parser.add_argument("--rate", type=int, default=2_000, help="events/s stored during the lag measurement")
    parser.add_argument("--lag-seconds", type=float, default=60.0)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--skip", default="", help="comma-separated: throughput, lag, timeline")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="tagway-bench-people-") as temporary:
        directory = Path(temporary)
        if args.engine == "sqlite":
            url = f"sqlite:///{directory / 'people.db'}"
        else:
            url = fresh_database(stack.enter_context(postgres_server(free_port())))
        gateway = gateway_on(url, directory)
        print(f"engine: {args.engine}", flush=True)
        if "throughput" not in skip:
            throughput(gateway, args.events)
        if "timeline" not in skip:  # among the backlog the throughput run stored
            timeline(gateway, args.heavy)
        if "lag" not in skip:
            lag(gateway, url, directory, args.rate, args.lag_seconds)


if __name__ == "__main__":
    main()
