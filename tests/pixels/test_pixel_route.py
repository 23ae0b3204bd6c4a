"""A pixel source through the real /v1/collect route: authenticated by its write key alone, rate-limited and
size-limited, whatever Origin it claims; and `tagway sources add` prints its code filled in.

Anyone can post to a pixel source (its write key is in the shop's page, and a visitor can publish events from
the browser's console), so these are the guards a shop owner relies on.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Source
from adapters.bigcommerce_pixel import adapter as bigcommerce_pixel
from adapters.shopify_pixel import adapter as shopify_pixel
from adapters.wix_pixel import adapter as wix_pixel
from tests.support.gateway import ADMIN, base_config, build_app
from tests.support.server import TAGWAY, write_config

KEY = "wk_pixel_route_0123456789abcdef"
CASE = Path(__file__).resolve().parents[1] / "adapters" / "shopify_pixel" / "cases" / "product_added_to_cart.json"
TEXT = {"Content-Type": "text/plain;charset=UTF-8"}


def envelope(event_id: str) -> bytes:
    """The Shopify pixel's post of the product_added_to_cart case, with another event id."""
    body = json.loads(CASE.read_text())["request"]["body"]
    body["event"]["id"] = event_id
    return json.dumps(body).encode()


def app_with(tmp_path: Path, **source: Any) -> Any:
    config = base_config(tmp_path / "pixels.db")
    config["sources"].append({"id": "shop-pixel", "adapter": "shopify_pixel", "write_key": KEY, **source})
    return build_app(config)


def test_the_write_key_decides_whatever_origin_the_request_claims(tmp_path: Path) -> None:
    client = app_with(tmp_path, allowed_origins=["https://example-shop.myshopify.com"]).test_client()
    shop = {**TEXT, "Origin": "https://example-shop.myshopify.com"}
    refused = client.post("/v1/collect", data=envelope("sh-origin-1"), headers=shop)
    assert refused.status_code == 401  # the shop's own Origin is no credential
    assert refused.get_json()["errors"][0]["field"] == "k"
    sandbox = {**TEXT, "Origin": "null"}  # what a sandboxed iframe may send
    taken = client.post(f"/v1/collect?k={KEY}", data=envelope("sh-origin-2"), headers=sandbox)
    assert taken.status_code == 200 and taken.get_json()["stored"] == 1
    stored = client.get("/v1/events?source=shop-pixel", headers=ADMIN).get_json()["items"]
    assert [item["event"]["id"] for item in stored] == ["sh-origin-2"]
    kept = client.get("/v1/rejections", headers=ADMIN).get_json()["items"]
    assert [r["reason"] for r in kept] == ["auth"]


def test_a_pixel_source_is_rate_limited(tmp_path: Path) -> None:
    client = app_with(tmp_path, rate_limit="2/minute").test_client()
    answers = [client.post(f"/v1/collect?k={KEY}", data=envelope(f"sh-rate-{n}"), headers=TEXT) for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"]
    assert len(client.get("/v1/events?source=shop-pixel", headers=ADMIN).get_json()["items"]) == 2


def test_a_pixel_post_larger_than_the_request_limit_is_refused(tmp_path: Path) -> None:
    client = app_with(tmp_path).test_client()
    body = json.loads(envelope("sh-large"))
    body["event"]["customData"] = {"padding": "x" * (600 * 1024)}
    answer = client.post(f"/v1/collect?k={KEY}", data=json.dumps(body).encode(), headers=TEXT)
    assert answer.status_code == 413
    assert client.get("/v1/events?source=shop-pixel", headers=ADMIN).get_json()["items"] == []


@pytest.mark.parametrize(("adapter", "html"), [(shopify_pixel, False), (wix_pixel, True), (bigcommerce_pixel, True)])
def test_the_snippet_carries_the_gateway_and_key_as_javascript_strings(adapter: Any, html: bool) -> None:
    snippet = adapter.install_snippet(Source("shop", adapter.name), "https://gw.example.com/</script>", "wk_1")
    assert snippet.startswith("<script>") is html
    # Nothing in the URL can end the <script> element the shop owner pastes.
    assert snippet.count("</script>") == (1 if html else 0)
    assert '"https://gw.example.com/\\u003c/script>/v1/collect?k=wk_1"' in snippet


def test_sources_add_prints_the_setup_steps_and_the_filled_in_pixel(tmp_path: Path) -> None:
    config = write_config(tmp_path / "tagway.toml", base_config(tmp_path / "cli.db"))
    printed = subprocess.run([TAGWAY, "-c", str(config), "sources", "add", "shopify_pixel", "--print-only"],
                             capture_output=True, text=True, check=True).stdout
    key = next(line.split()[-1] for line in printed.splitlines() if line.startswith("Write key:"))
    assert "Settings → Customer events" in printed and "Connect" in printed
    assert f'var ENDPOINT = "https://gateway.example.com/v1/collect?k={key}";' in printed
    assert 'analytics.subscribe("all_custom_events", forward)' in printed


def test_a_pixel_source_answers_any_origin_without_credentials_and_the_sdks_stays_credentialed(
        tmp_path: Path) -> None:
    config = base_config(tmp_path / "pixels.db")
    config["sources"] += [{"id": "shop-pixel", "adapter": "shopify_pixel", "write_key": KEY},
                          {"id": "site-sdk", "adapter": "web", "write_key": "wk_pixel_route_sdk_0123456789ab",
                           "allowed_origins": ["https://www.shop.example"]}]
    client = build_app(config).test_client()
    for origin in ("null", "https://example-shop.myshopify.com"):  # a sandbox's opaque origin, a shop's
        for body, status in ((envelope(f"sh-cors-{origin}"), 200), (b"not json", 400)):
            answer = client.post(f"/v1/collect?k={KEY}", data=body, headers={**TEXT, "Origin": origin})
            assert answer.status_code == status
            assert answer.headers["Access-Control-Allow-Origin"] == "*", "the snippet reads every status"
            assert answer.headers["Access-Control-Expose-Headers"] == "Retry-After"
            assert "Access-Control-Allow-Credentials" not in answer.headers, "never with credentials"
    sdk = client.post("/v1/collect?k=wk_pixel_route_sdk_0123456789ab", data=b"{}",
                      headers={**TEXT, "Origin": "https://www.shop.example"})
    assert sdk.headers["Access-Control-Allow-Origin"] == "https://www.shop.example", "the SDK's origin, echoed"
    foreign = client.post("/v1/collect?k=wk_pixel_route_sdk_0123456789ab", data=b"{}",
                          headers={**TEXT, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers, "the SDK's allowed origins still decide"
    preflight = client.options("/v1/collect", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403, "no preflight is opened to any origin"
