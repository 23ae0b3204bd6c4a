"""Ingest benchmark: durable single-event POST /v1/events against a no-op Flask endpoint, and batch ingest.

Both servers run under the same gunicorn settings in the same run; rounds alternate so that the
machine's other load hits both alike. Prints requests/s, p50/p99 latency, their ratio, and
batch ingest in events/s.

    .venv/bin/python bench/ingest.py [--seconds 5] [--rounds 7] [--workers 2]
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    WRITE_KEY,
    GunicornSettings,
    LoadResult,
    compare_rounds,
    count_events,
    describe,
    ensure_wrk,
    gunicorn,
    inputs_kept,
    load_arguments,
    median_result,
    run_wrk,
    unique_requests_script,
    write_config,
)

JSON_HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {WRITE_KEY}"}
EVENT = ('{"id":"%s","name":"AddToCart","user":{"anonymousId":"anon-%d"},'
         '"page":{"url":"https://shop.example.com/products/linen-shirt?utm_source=newsletter&utm_medium=email",'
         '"title":"Linen shirt"},"commerce":{"currency":"USD","value":29.5,'
         '"items":[{"id":"SKU-1","name":"Linen shirt","price":29.5,"quantity":1}]},'
         '"properties":{"color":"white","size":"M"}}')


def single_event_script(run_id: str) -> str:
    """wrk script: one new event per request (unique ids, so every request is a durable insert)."""
    return unique_requests_script("POST", "/v1/events", JSON_HEADERS, EVENT.replace("%s", "{id}") % 1,
                                  run_id=run_id)


def noop_script() -> str:
    """wrk script: the same body to the no-op endpoint."""
    return unique_requests_script("POST", "/noop", JSON_HEADERS, EVENT % ("same", 1))


def batch_script(run_id: str, size: int) -> str:
    """wrk script: batches of `size` new events."""
    lua_event = EVENT.replace('"', '\\"').replace("%s", '" .. id .. "').replace("%d", '" .. i .. "')
    return f"""
local thread_count = 0
setup = function(thread) thread_count = thread_count + 1; thread:set("tid", thread_count) end
local counter = 0
local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {WRITE_KEY}"}}
request = function()
  counter = counter + 1
  local parts = {{}}
  for i = 1, {size} do
    local id = "{run_id}-b" .. tid .. "-" .. counter .. "-" .. i
    parts[i] = "{lua_event}"
  end
  return wrk.format("POST", "/v1/events", headers, '{{"batch":[' .. table.concat(parts, ",") .. ']}}')
end
"""


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0])
    parser.add_argument("--worker-class", default="app.workers.GatewayWorker",
                        choices=["app.workers.GatewayWorker", "sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    ensure_wrk()
    settings = GunicornSettings(workers=args.workers, worker_class=args.worker_class, threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        directory = Path(tmp)
        config = write_config(directory, keep_accepted_inputs=args.keep_accepted_inputs)
        env = {"TAGWAY_CONFIG": str(config)}
        batch_runs: list[LoadResult] = []
        with gunicorn("bench.noop_app:app", settings) as noop_url, \
                gunicorn("app:create_app()", settings, env=env) as gateway_url:
            comparison = compare_rounds((noop_url, lambda _: noop_script()),
                                        (gateway_url, lambda _: single_event_script(uuid.uuid4().hex[:8])),
                                        args.rounds, args.seconds, args.connections)
            # Batches after every single-event round: each batch round adds half a million events,
            # and the single-event rounds should all start from the same database.
            for round_number in range(args.rounds):
                batch_runs.append(run_wrk(gateway_url, batch_script(uuid.uuid4().hex[:8], args.batch_size),
                                          args.seconds, 4))
                print(f"batch round {round_number + 1}/{args.rounds}: "
                      f"{batch_runs[-1].requests_per_second * args.batch_size:.0f} events/s", file=sys.stderr)
        stored = count_events(directory / "bench.db")

    print(f"\ngunicorn: {settings.workers} workers, {settings.worker_class}; wrk {args.connections} connections, "
          f"{args.seconds}s x {args.rounds} rounds (medians); {inputs_kept(args)}")
    comparison.report("no-op Flask endpoint", "POST /v1/events (1 event, durable)", "ratio ingest / no-op", ">= 70%")
    batch = median_result(batch_runs)
    print(describe(f"POST /v1/events (batch of {args.batch_size})", batch))
    print(f"{'batch ingest':<38} {batch.requests_per_second * args.batch_size:>9.0f} events/s   (target >= 50,000)")
    print(f"events stored in the run: {stored}; errors: "
          f"{sum(r.non_2xx + r.errors for r in comparison.subject + batch_runs)} failed requests")

if __name__ == "__main__":
    main()
