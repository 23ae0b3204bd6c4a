"""What a platform does to a gateway in end-to-end tests: a signed Shopify order, and retrying as platforms do."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.adapters.shopify.signer import signer

SHOPIFY_CASES = Path(__file__).resolve().parents[1] / "adapters" / "shopify" / "cases"


def shopify_order(secret: str) -> tuple[bytes, dict[str, str]]:
    """The orders/create case's body and headers, signed with `secret` as Shopify signs it."""
    case = json.loads((SHOPIFY_CASES / "orders_create.json").read_text())
    request = case["request"]
    signed = signer.sign((SHOPIFY_CASES / request["body_file"]).read_bytes(), dict(request["headers"]),
                         {"secret": secret})
    assert signed is not None
    return signed


def until(answer: Callable[[], requests.Response], status: int, seconds: float = 15) -> requests.Response:
    """Send again until the answer has `status` (as a platform retries), every worker being asked on the way."""
    deadline = time.monotonic() + seconds
    while True:
        response = answer()
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)
