"""Webhook benchmark: Shopify `orders/create` deliveries (signature checked, stored) against a no-op Flask endpoint.

The body and its HMAC are the docs' order (tests/adapters/shopify/cases/orders_create.json); each request
has a new X-Shopify-Event-Id, so every one is a new event. Target: >= 60 % of the no-op endpoint.

    .venv/bin/python bench/webhook.py [--seconds 5] [--rounds 7]
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

CASE = ROOT / "tests" / "adapters" / "shopify" / "cases" / "orders_create.json"


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0])
    args = parser.parse_args()
    ensure_wrk()
    case = json.loads(CASE.read_text())
    body = (CASE.parent / case["request"]["body_file"]).read_text()
    headers = {k: v for k, v in case["request"]["headers"].items() if k != "X-Shopify-Event-Id"}
    secret = case["source"]["settings"]["secret"]
    settings = GunicornSettings(workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        config = write_config(Path(tmp), f'\n[[sources]]\nid = "shop"\nadapter = "shopify"\nsecret = "{secret}"\n',
                              args.keep_accepted_inputs)
        with gunicorn("bench.noop_app:app", settings) as noop_url, \
                gunicorn("app:create_app()", settings, env={"TAGWAY_CONFIG": str(config)}) as gateway_url:
            comparison = compare_rounds(
                (noop_url, lambda _: unique_requests_script("POST", "/noop", headers, body)),
                (gateway_url, lambda _: unique_requests_script("POST", "/v1/webhooks/shop", headers, body,
                                                               varying_header="X-Shopify-Event-Id",
                                                               run_id=uuid.uuid4().hex[:8])),
                args.rounds, args.seconds, args.connections)
        stored = count_events(Path(tmp) / "bench.db")
    print(f"\ngunicorn: {settings.workers} workers, {settings.worker_class}; wrk {args.connections} connections, "
          f"{args.seconds}s x {args.rounds} rounds (medians); body {len(body)} bytes; "
          f"{inputs_kept(args)}")
    comparison.report("no-op Flask endpoint", "Shopify orders/create webhook", "ratio webhook / no-op", ">= 60%")
    print(f"failed requests: {sum(r.non_2xx + r.errors for r in comparison.subject)}; "
          f"events stored in the run: {stored}")

if __name__ == "__main__":
    main()
