"""GTM benchmark: the dataLayer adapter's cost per event, and pixel requests/s against a no-op Flask endpoint.

1. In-process: each dataLayer scenario's pushes (the conformance scenarios, copied in tests/gtm/conformance) as collect
   payloads through the gtm adapter alone (decode + map), and through the gateway's normalization and
   validation too; microseconds per event (median of repeated runs).
2. Over HTTP: GET /v1/collect pixels (a GA4 add_to_cart payload, base64 in the URL, a new id each time)
   against a no-op Flask endpoint that reads a query string the same size, same gunicorn settings.
   Target: >= 70 % of the no-op endpoint.

    .venv/bin/python bench/collect.py [--seconds 5] [--rounds 7]
"""

from __future__ import annotations

import base64
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (
    BASE64_LUA,
    GunicornSettings,
    compare_rounds,
    count_events,
    ensure_wrk,
    gunicorn,
    inputs_kept,
    load_arguments,
    write_config,
)

from adapters.base import Headers, InboundRequest, Source
from adapters.gtm import adapter
from app.config.model import Limits
from app.event.canonical_url import Canonicalizer
from app.event.check import EventChecker
from app.event.normalize import Arrival, Normalizer
from app.event.schema import EventValidator

SCENARIOS = Path(__file__).resolve().parents[1] / "tests" / "gtm" / "conformance"
GTM_KEY = "wk_bench_gtm_0123456789abcdef"
PUSH = {"event": "add_to_cart", "ecommerce": {"currency": "USD", "value": 30.03, "items": [
    {"item_id": "SKU_12345", "item_name": "Stan and Friends Tee", "item_brand": "Google", "item_category": "Apparel",
     "item_variant": "green", "price": 10.01, "quantity": 3}]}}


def payload(event_id: str, push: object) -> dict[str, object]:
    data = {"gtag": push} if isinstance(push, list) else push
    event = None if isinstance(push, list) else push.get("event")  # type: ignore[union-attr]
    return {"v": 1, "id": event_id, "event": event, "data": data, "occurredAt": 1795521600000,
            "page": {"url": "https://shop.example.com/products/linen-shirt?utm_source=newsletter", "title": "Linen"},
            "user": {"anonymousId": "2f1c6e9a-6b1d-4c55-9d3e-2d7f0b1c8a41"},
            "library": {"name": "tagway-gtm-web", "version": "1.0.0"}}


def adapter_cost(repeats: int = 7, loops: int = 200) -> tuple[float, float, int]:
    """Median µs per event: adapter alone, and adapter + normalization + validation."""
    source = Source("site", "gtm", {"rename": {"chat_open": "UserChatOpen"}, "drop": [], "default_currency": "USD"})
    requests = []
    for path in sorted(SCENARIOS.glob("*.json")):
        for index, push in enumerate(json.loads(path.read_text())["pushes"]):
            text = base64.b64encode(json.dumps(payload(f"{path.stem}-{index}", push)).encode()).decode()
            requests.append(InboundRequest(method="GET", path="/v1/collect", headers=Headers({}), body=b"",
                                           query={"d": [text]}))
    checker = EventChecker(EventValidator(), Normalizer(Canonicalizer()), Limits())
    arrival = Arrival(received_at=datetime.now(UTC), source=source)
    events = sum(len(adapter.parse(r, source)) for r in requests)
    alone, full = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(loops):
            for request in requests:
                adapter.parse(request, source)
        alone.append((time.perf_counter() - started) / (loops * events) * 1e6)
        started = time.perf_counter()
        for _ in range(loops):
            for request in requests:
                for index, raw in enumerate(adapter.parse(request, source)):
                    checker.check(index, raw, arrival)
        full.append((time.perf_counter() - started) / (loops * events) * 1e6)
    return statistics.median(alone), statistics.median(full), events


ID_DIGITS = 12  # a multiple of 3: its base64 is 16 characters that replace the placeholder's, no re-encoding


def pixel_script(path: str, run_number: int) -> str:
    """wrk script: a pixel per request with a new payload id each time.

    The payload is base64-encoded once here with a placeholder id that starts on a 3-byte boundary,
    so Lua only encodes the 12 id digits per request; the same script drives both servers, so the
    load generator's work is the same on both sides.
    """
    text = json.dumps(payload("@" * ID_DIGITS, PUSH))
    start = text.index("@" * ID_DIGITS)
    pad = -start % 3  # move the id onto a 3-byte boundary with spaces (JSON ignores them)
    text = text[:text.index('"id"')] + " " * pad + text[text.index('"id"'):]
    start += pad
    text = text.replace("@" * ID_DIGITS, "0" * ID_DIGITS)
    encoded = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    cut = start // 3 * 4
    before, after = encoded[:cut], encoded[cut + ID_DIGITS // 3 * 4:]
    assert base64.urlsafe_b64decode(encoded + "==").decode() == text
    return BASE64_LUA + f"""
local thread_count = 0
setup = function(thread) thread_count = thread_count + 1; thread:set("tid", thread_count) end
local counter = 0
local before, after = "{before}", "{after}"
request = function()
  counter = counter + 1
  local id = string.format("%02d%02d%08d", {run_number}, tid, counter)
  local piece = b64(id):gsub("%+", "-"):gsub("/", "_")
  return wrk.format("GET", "{path}?k={GTM_KEY}&v=1&d=" .. before .. piece .. after)
end
"""


def main() -> None:
    parser = load_arguments(__doc__.splitlines()[0])
    args = parser.parse_args()
    alone, full, events = adapter_cost()
    print(f"dataLayer adapter: {alone:.1f} µs per event alone, {full:.1f} µs with normalization and validation "
          f"({events} events from the conformance scenarios, median of 7 runs)", flush=True)
    ensure_wrk()
    settings = GunicornSettings(workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="tagway-bench-") as tmp:
        config = write_config(Path(tmp), f'\n[[sources]]\nid = "site"\nadapter = "gtm"\nwrite_key = "{GTM_KEY}"\n',
                              args.keep_accepted_inputs)
        with gunicorn("bench.noop_app:app", settings) as noop_url, \
                gunicorn("app:create_app()", settings, env={"TAGWAY_CONFIG": str(config)}) as gateway_url:
            # Round numbers go into the ids (warm-up: 99), so no round repeats another's events.
            comparison = compare_rounds((noop_url, lambda n: pixel_script("/noop", n % 100)),
                                        (gateway_url, lambda n: pixel_script("/v1/collect", n % 100)),
                                        args.rounds, args.seconds, args.connections)
        stored = count_events(Path(tmp) / "bench.db")
    print(f"\ngunicorn: {settings.workers} workers, {settings.worker_class}; wrk {args.connections} connections, "
          f"{args.seconds}s x {args.rounds} rounds (medians); {inputs_kept(args)}")
    comparison.report("no-op Flask endpoint (same URL)", "GET /v1/collect pixel, durable", "ratio pixel / no-op",
                      ">= 70%")
    print(f"failed requests: {sum(r.non_2xx + r.errors for r in comparison.subject)}; "
          f"events stored in the run: {stored}")

if __name__ == "__main__":
    main()
