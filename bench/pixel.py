"""Pixel benchmark: a Shopify custom pixel's `product_added_to_cart` posts against a no-op Flask endpoint.

1. In-process: the shopify_pixel adapter's cost per event (parse), and with the gateway's normalization and
   validation too; microseconds per event (median of repeated runs).
2. Over HTTP:

Each request is the envelope pixel.js posts (text/plain JSON to /v1/collect?k=..., the case
tests/adapters/shopify_pixel/cases/product_added_to_cart.json), with a new Shopify event id each time, so every
one is a new event: parsed by the shopify_pixel adapter, normalized, validated and stored. The baseline reads
the same body. Target: >= 70 % of the no-op endpoint.

    .venv/bin/python bench/pixel.py [--seconds 5] [--rounds 7]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (
    ROOT,
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

from adapters.base import Headers, InboundRequest, Source
from adapters.shopify_pixel import adapter
from app.config.model import Limits
from app.event.canonical_url import Canonicalizer
from app.event.check import EventChecker
from app.event.normalize import Arrival, Normalizer
from app.event.schema import EventValidator

CASE = ROOT / "tests" / "adapters" / "shopify_pixel" / "cases" / "product_added_to_cart.json"
PIXEL_KEY = "wk_bench_shopify_pixel_0123456789abcdef"


def adapter_cost(body: bytes, repeats: int = 7, loops: int = 2000) -> tuple[float, float]:
    """Median µs per event: the adapter's parse alone, and parse + normalization + validation."""
    source = Source("shop-pixel", "shopify_pixel", {"consent_required": ["analytics"], "without_consent": "anonymous"})
    request = InboundRequest(method="POST", path="/v1/collect", headers=Headers({"Content-Type": "text/plain"}),
                             body=body, remote_addr="203.0.113.7")
    checker = EventChecker(EventValidator(), Normalizer(Canonicalizer()), Limits())
    arrival = Arrival(received_at=datetime.now(UTC), source=source, ip="203.0.113.7")
    alone, full = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(loops):
            adapter.parse(request, source)
        alone.append((time.perf_counter() - started) / loops * 1e6)
        started = time.perf_counter()
        for _ in range(loops):
            for index, raw in enumerate(adapter.parse(request, source)):
                checker.check(index, raw, arrival)
        full.append((time.perf_counter() - started) / loops * 1e6)
    return statistics.median(alone), statistics.median(full)


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0])
    args = parser.parse_args()
    case_body = json.dumps(json.loads(CASE.read_text())["request"]["body"]).encode()
    alone, full = adapter_cost(case_body)
    print(f"shopify_pixel adapter: {alone:.1f} µs per event alone, {full:.1f} µs with normalization and "
          "validation (median of 7 runs)", flush=True)
    ensure_wrk()
    envelope = json.loads(CASE.read_text())["request"]["body"]
    envelope["event"]["id"] = "{id}"  # unique_requests_script puts a new id there in each request
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
    headers = {"Content-Type": "text/plain;charset=UTF-8",
               "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0.0.0 Safari/537.36"}
    settings = GunicornSettings(workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        config = write_config(Path(tmp), f'\n[[sources]]\nid = "shop-pixel"\nadapter = "shopify_pixel"\n'
                                         f'write_key = "{PIXEL_KEY}"\n', args.keep_accepted_inputs)
        with gunicorn("bench.noop_app:app", settings) as noop_url, \
                gunicorn("app:create_app()", settings, env={"TAGWAY_CONFIG": str(config)}) as gateway_url:
            comparison = compare_rounds(
                (noop_url, lambda _: unique_requests_script("POST", f"/noop?k={PIXEL_KEY}", headers, body)),
                (gateway_url, lambda _: unique_requests_script("POST", f"/v1/collect?k={PIXEL_KEY}", headers, body,
                                                               run_id=uuid.uuid4().hex[:8])),
                args.rounds, args.seconds, args.connections)
        stored = count_events(Path(tmp) / "bench.db")
    print(f"\ngunicorn: {settings.workers} workers, {settings.worker_class}; wrk {args.connections} connections, "
          f"{args.seconds}s x {args.rounds} rounds (medians); body {len(body)} bytes; {inputs_kept(args)}")
    comparison.report("no-op Flask endpoint", "Shopify pixel product_added_to_cart", "ratio pixel / no-op",
                      ">= 70%")
    print(f"failed requests: {sum(r.non_2xx + r.errors for r in comparison.subject)}; "
          f"events stored in the run: {stored}")


if __name__ == "__main__":
    main()
