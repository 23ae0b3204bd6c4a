"""Webhook benchmark: Shopify `orders/create` deliveries (signature checked, stored) against a no-op Flask endpoint.

The body and its HMAC are the docs' order (tests/adapters/shopify/cases/orders_create.json); each request
has a new X-Shopify-Event-Id, so every one is a new event. Target: >= 60 % of the no-op endpoint.

    .venv/bin/python bench/webhook.py [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    ROOT,
    GunicornSettings,
    LoadResult,
    count_events,
    describe,
    ensure_wrk,
    gunicorn,
    median_result,
    run_wrk,
    unique_requests_script,
    warm_up,
    write_config,
)

CASE = ROOT / "tests" / "adapters" / "shopify" / "cases" / "orders_create.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    ensure_wrk()
    case = json.loads(CASE.read_text())
    body = (CASE.parent / case["request"]["body_file"]).read_text()
    headers = {k: v for k, v in case["request"]["headers"].items() if k != "X-Shopify-Event-Id"}
    secret = case["source"]["settings"]["secret"]
    settings = GunicornSettings(workers=args.workers)
    noop_runs: list[LoadResult] = []
    hook_runs: list[LoadResult] = []
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        config = write_config(Path(tmp), f'\n[[sources]]\nid = "shop"\nadapter = "shopify"\nsecret = "{secret}"\n')
        with gunicorn("bench.noop_app:app", settings) as noop_url, \
                gunicorn("app:create_app()", settings, env={"TAGWAY_CONFIG": str(config)}) as gateway_url:
            warm_up(noop_url, unique_requests_script("POST", "/noop", headers, body))
            warm_up(gateway_url, unique_requests_script("POST", "/v1/webhooks/shop", headers, body,
                                                        varying_header="X-Shopify-Event-Id", run_id="warm-up"))
            for number in range(args.rounds):
                noop_runs.append(run_wrk(noop_url, unique_requests_script("POST", "/noop", headers, body),
                                         args.seconds, args.connections))
                script = unique_requests_script("POST", "/v1/webhooks/shop", headers, body,
                                                varying_header="X-Shopify-Event-Id", run_id=uuid.uuid4().hex[:8])
                hook_runs.append(run_wrk(gateway_url, script, args.seconds, args.connections))
                print(f"round {number + 1}/{args.rounds}: no-op {noop_runs[-1].requests_per_second:.0f} req/s, "
                      f"webhook {hook_runs[-1].requests_per_second:.0f} req/s", file=sys.stderr)
        stored = count_events(Path(tmp) / "bench.db")
    noop, hook = median_result(noop_runs), median_result(hook_runs)
    ratios = [h.requests_per_second / n.requests_per_second for h, n in zip(hook_runs, noop_runs, strict=True)]
    print(f"\ngunicorn: {settings.workers} sync workers; wrk {args.connections} connections, "
          f"{args.seconds}s x {args.rounds} rounds (medians); body {len(body)} bytes")
    print(describe("no-op Flask endpoint", noop))
    print(describe("Shopify orders/create webhook", hook))
    print(f"{'ratio webhook / no-op':<38} {hook.requests_per_second / noop.requests_per_second:>9.0%}"
          f"   (per round: {', '.join(f'{r:.0%}' for r in ratios)}; target >= 60%)")
    print(f"failed requests: {sum(r.non_2xx + r.errors for r in hook_runs)}; events stored in the run: {stored}")


if __name__ == "__main__":
    main()
