"""Pixel benchmark: a Shopify custom pixel's `product_added_to_cart` posts against a no-op Flask endpoint.

Each request is the envelope pixel.js posts (text/plain JSON to /v1/collect?k=..., the case
tests/adapters/shopify_pixel/cases/product_added_to_cart.json), with a new Shopify event id each time, so every
one is a new event: parsed by the shopify_pixel adapter, normalized, validated and stored. The baseline reads
the same body. Target: >= 70 % of the no-op endpoint.

    .venv/bin/python bench/pixel.py [--seconds 5] [--rounds 7]
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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

CASE = ROOT / "tests" / "adapters" / "shopify_pixel" / "cases" / "product_added_to_cart.json"
PIXEL_KEY = "wk_bench_shopify_pixel_0123456789abcdef"


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0])
    args = parser.parse_args()
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
