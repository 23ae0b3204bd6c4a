"""Segment tracking API benchmark: POST /v1/batch of Segment calls against POST /v1/events batches, and single
POST /v1/track calls against a no-op Flask endpoint, each pair measured in alternating rounds of the same run.

The Segment calls are what Segment's Node library sends for a "Product Added" (its properties, context.page and
context.library, timestamp, the batch's sentAt, Basic auth). The target compares them with canonical batches of
the same facts: bench/ingest.py's AddToCart with the call's time (`occurredAt`), the batch's `sentAt` (so the
clock-skew correction runs on both sides) and its `context.library`, as a server posting canonical events after
the fact sends them. bench/ingest.py's bare AddToCart (no times, no library) is measured too and its ratio printed
beside, for comparison with earlier runs. Prints events/s of the batch endpoints and the ratios (target >= 80%
against the same facts), and the single call's requests/s against the no-op endpoint (target >= 70%).

    .venv/bin/python bench/tracking_api.py [--seconds 5] [--rounds 7] [--workers 2] [--batch-size 500]
"""

from __future__ import annotations

import base64
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    WRITE_KEY,
    GunicornSettings,
    compare_rounds,
    count_events,
    ensure_wrk,
    gunicorn,
    inputs_kept,
    load_arguments,
    unique_requests_script,
    write_config,
)
from ingest import EVENT, noop_script

SEGMENT_KEY = "wk_bench_segment_0123456789ab"
SEGMENT_HEADERS = {"Content-Type": "application/json",
                   "Authorization": "Basic " + base64.b64encode(f"{SEGMENT_KEY}:".encode()).decode()}
CANONICAL_HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {WRITE_KEY}"}
SEGMENT_CALL = ('{"type":"track","messageId":"%s","anonymousId":"anon-%d","event":"Product Added",'
                '"properties":{"product_id":"SKU-1","name":"Linen shirt","price":29.5,"quantity":1,"currency":"USD",'
                '"value":29.5,"color":"white","size":"M"},'
                '"context":{"page":{"url":"https://shop.example.com/products/linen-shirt?utm_source=newsletter'
                '&utm_medium=email","title":"Linen shirt"},"library":{"name":"@segment/analytics-node",'
                '"version":"3.1.0"}},"timestamp":"2026-11-24T09:30:00.000Z"}')
SEGMENT_SOURCE = f"""
[[sources]]
id = "app"
adapter = "segment"
write_key = "{SEGMENT_KEY}"
"""


def batch_script(path: str, headers: dict[str, str], template: str, envelope: str, run_id: str, size: int) -> str:
    """wrk script: batches of `size` new items (`template` with %s the id, %d the index) in `envelope`'s {items}."""
    lua_item = template.replace('"', '\\"').replace("%s", '" .. id .. "').replace("%d", '" .. i .. "')
    header_lines = ", ".join(f'["{name}"] = "{value}"' for name, value in headers.items())
    before, after = (part.replace('"', '\\"') for part in envelope.split("{items}"))
    return f"""
local thread_count = 0
setup = function(thread) thread_count = thread_count + 1; thread:set("tid", thread_count) end
local counter = 0
local headers = {{{header_lines}}}
request = function()
  counter = counter + 1
  local parts = {{}}
  for i = 1, {size} do
    local id = "{run_id}-b" .. tid .. "-" .. counter .. "-" .. i
    parts[i] = "{lua_item}"
  end
  return wrk.format("POST", "{path}", headers, "{before}" .. table.concat(parts, ",") .. "{after}")
end
"""


def segment_batch(size: int) -> str:
    """A round's Segment batches (new messageIds every round)."""
    return batch_script("/v1/batch", SEGMENT_HEADERS, SEGMENT_CALL,
                        '{"batch":[{items}],"sentAt":"2026-11-24T09:30:01.000Z"}', uuid.uuid4().hex[:8], size)


SAME_FACTS_EVENT = (EVENT[:-1] + ',"occurredAt":"2026-11-24T09:30:00.000Z",'
                    '"context":{"library":{"name":"@segment/analytics-node","version":"3.1.0"}}}')
"""bench/ingest.py's AddToCart with what the Segment call carries besides: when it happened, and the library."""


def canonical_batch(size: int, same_facts: bool = True) -> str:
    """A round's canonical batches: of the Segment calls' facts (with the batch's sentAt), or bench/ingest.py's."""
    if not same_facts:
        return batch_script("/v1/events", CANONICAL_HEADERS, EVENT, '{"batch":[{items}]}', uuid.uuid4().hex[:8],
                            size)
    return batch_script("/v1/events", CANONICAL_HEADERS, SAME_FACTS_EVENT,
                        '{"batch":[{items}],"sentAt":"2026-11-24T09:30:01.000Z"}', uuid.uuid4().hex[:8], size)


def single_track_script() -> str:
    """wrk script: one new Segment track call per request."""
    return unique_requests_script("POST", "/v1/track", SEGMENT_HEADERS, SEGMENT_CALL.replace("%s", "{id}") % 1,
                                  run_id=uuid.uuid4().hex[:8])


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    ensure_wrk()
    settings = GunicornSettings(workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        directory = Path(tmp)
        config = write_config(directory, SEGMENT_SOURCE, keep_accepted_inputs=args.keep_accepted_inputs)
        env = {"TAGWAY_CONFIG": str(config)}
        with gunicorn("bench.noop_app:app", settings) as noop_url, \
                gunicorn("app:create_app()", settings, env=env) as gateway_url:
            batches = compare_rounds((gateway_url, lambda _: canonical_batch(args.batch_size)),
                                     (gateway_url, lambda _: segment_batch(args.batch_size)),
                                     args.rounds, args.seconds, 4)
            bare = compare_rounds((gateway_url, lambda _: canonical_batch(args.batch_size, same_facts=False)),
                                  (gateway_url, lambda _: segment_batch(args.batch_size)),
                                  args.rounds, args.seconds, 4)
            singles = compare_rounds((noop_url, lambda _: noop_script()),
                                     (gateway_url, lambda _: single_track_script()),
                                     args.rounds, args.seconds, args.connections)
        stored = count_events(directory / "bench.db")

    print(f"\ngunicorn: {settings.workers} workers, {settings.worker_class}; wrk 4 connections for batches, "
          f"{args.connections} for single calls, {args.seconds}s x {args.rounds} rounds (medians); {inputs_kept(args)}")
    batches.report(f"POST /v1/events ({args.batch_size}, same facts)", f"POST /v1/batch (Segment, {args.batch_size})",
                   "ratio Segment / events, same facts", ">= 80%")
    bare.report(f"POST /v1/events ({args.batch_size}, ingest.py's)", f"POST /v1/batch (Segment, {args.batch_size})",
                "ratio Segment / ingest.py's events", "none: for comparison")
    for label, runs in (("POST /v1/events, same facts", batches.baseline), ("POST /v1/events, ingest.py's",
                                                                            bare.baseline),
                        ("POST /v1/batch", batches.subject + bare.subject)):
        middle = sorted(r.requests_per_second for r in runs)[len(runs) // 2]
        print(f"{label + ' events/s':<38} {middle * args.batch_size:>9.0f}")
    singles.report("no-op Flask endpoint", "POST /v1/track (1 call, durable)", "ratio track / no-op", ">= 70%")
    failed = sum(r.non_2xx + r.errors for r in batches.subject + batches.baseline + bare.subject + bare.baseline
                 + singles.subject)
    print(f"events stored in the run: {stored}; errors: {failed} failed requests")


if __name__ == "__main__":
    main()
