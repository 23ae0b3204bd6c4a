"""Property: mutated and random bodies, headers and signatures sent to every platform's real webhook route get
a documented status below 500, and every refusal is kept as a rejection with its reason.

Each platform starts from one of its real fixture cases. Half the mutated requests are signed again by the
test's own implementation of the platform's documented scheme (never the adapter's code), so that a mutated
body also reaches the adapter's parsing and mapping through the route, not only its signature check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.storage.records import RejectionQuery
from tests.adapters.test_contract import ADAPTERS, SIGNED_SUCCESS_CASES, post_case
from tests.support.cases import Case
from tests.support.gateway import Clock, base_config, build_app

# What the webhook route answers (the OpenAPI document lists these); never a 5xx.
DOCUMENTED = {200, 202, 204, 400, 401, 404, 413, 415}
# One real, signed, successful case per platform: the starting point of the mutations.
STARTS = {case.adapter: case for case in reversed(SIGNED_SUCCESS_CASES)}

Signer = Callable[[bytes, dict[str, str], dict[str, Any]], dict[str, str]]


def _b64_hmac(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _standard_webhooks(key: bytes) -> Signer:
    """Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body` (standardwebhooks.com, "Verifying")."""
    def sign(body: bytes, headers: dict[str, str], _: dict[str, Any]) -> dict[str, str]:
        lower = {k.lower(): k for k in headers}
        message_id = headers.get(lower.get("webhook-id", ""), "msg_1")
        timestamp = headers.get(lower.get("webhook-timestamp", ""), "0")
        signature = _b64_hmac(key, f"{message_id}.{timestamp}.".encode() + body)
        return {**headers, lower.get("webhook-signature", "webhook-signature"): f"v1,{signature}"}
    return sign


def _header_signer(name: str, make: Callable[[bytes, dict[str, Any]], str]) -> Signer:
    def sign(body: bytes, headers: dict[str, str], settings: dict[str, Any]) -> dict[str, str]:
        kept = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        return {**kept, name: make(body, settings)}
    return sign


def _webflow(body: bytes, headers: dict[str, str], settings: dict[str, Any]) -> dict[str, str]:
    """Webflow: hex HMAC-SHA256 of `timestamp:body` with the secret."""
    lower = {k.lower(): k for k in headers}
    timestamp = headers.get(lower.get("x-webflow-timestamp", ""), "0")
    digest = hmac.new(settings["secret"].encode(), f"{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {**headers, lower.get("x-webflow-signature", "x-webflow-signature"): digest}


def _ecwid(body: bytes, headers: dict[str, str], settings: dict[str, Any]) -> dict[str, str]:
    """Ecwid: base64 HMAC-SHA256 of `eventCreated.eventId`, both read from the body."""
    try:
        payload = json.loads(body)
        message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
    except (ValueError, TypeError, KeyError):
        return headers
    return {**headers, "X-Ecwid-Webhook-Signature": _b64_hmac(settings["client_secret"].encode(), message)}


def signer_for(case: Case) -> Signer | None:
    """The test's own signer for a case's platform (None: the platform's key cannot be used here)."""
    settings = case.settings
    signers: dict[str, Signer] = {
        "shopify": _header_signer("X-Shopify-Hmac-Sha256",
                                  lambda body, s: _b64_hmac(s["secret"].encode(), body)),
        "woocommerce": _header_signer("x-wc-webhook-signature",
                                      lambda body, s: _b64_hmac(s["secret"].encode(), body)),
        "squarespace": _header_signer("Squarespace-Signature", lambda body, s: hmac.new(
            bytes.fromhex(s["secret"]), body, hashlib.sha256).hexdigest()),
        "webflow": _webflow,
        "ecwid": _ecwid,
        "cafe24": lambda body, headers, s: headers,  # a key in a header: the body is not signed
    }
    if case.adapter == "canonical":
        return _standard_webhooks(base64.b64decode(settings["secret"].removeprefix("whsec_")))
    if case.adapter == "bigcommerce" and settings.get("client_secret"):
        return _standard_webhooks(settings["client_secret"].encode())  # BigCommerce: the secret's own bytes
    return signers.get(case.adapter)


class WixSigner:
    """Wix signs the body, a JWT, with the app's private key (RS256); the test makes its own key pair.

    The JWT's `data` claim is a JSON string of the envelope, whose `data` is a JSON string of the
    event: a mutated body is the original token's claims, envelope and event with one change,
    encoded and signed again.
    """

    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key = key
        self.public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    @staticmethod
    def unpack(token: bytes) -> dict[str, Any]:
        """The original token's parts as one JSON document to mutate."""
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
        envelope = json.loads(claims.pop("data"))
        event = envelope.pop("data")
        return {"claims": claims, "envelope": envelope, "event": json.loads(event) if isinstance(event, str)
                else event}

    def pack(self, document: Any) -> bytes:
        """A signed token of a (mutated) document; whatever is not an object is signed as it is."""
        if not isinstance(document, dict):
            return jwt.encode({"data": json.dumps(document)}, self.private_key, algorithm="RS256").encode()
        claims = document.get("claims") if isinstance(document.get("claims"), dict) else {}
        envelope = document.get("envelope") if isinstance(document.get("envelope"), dict) else {}
        if "event" in document:
            envelope = {**envelope, "data": json.dumps(document["event"])}
        payload = {**claims, "data": json.dumps(envelope)}
        return jwt.encode(payload, self.private_key, algorithm="RS256").encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_places(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_places(item, (*path, index)))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return document


@st.composite
def mutated_body(draw: st.DrawFn, body: bytes) -> bytes:
    """The case's body with one change: a JSON value replaced or removed, bytes cut or flipped, or anything."""
    kind = draw(st.sampled_from(["json", "json", "json", "truncate", "flip", "random"]))
    if kind == "json":
        try:
            document = json.loads(body)
        except ValueError:
            kind = "flip"
        else:
            path = draw(st.sampled_from(_places(document)))
            delete = bool(path) and draw(st.booleans())
            return json.dumps(_replace(document, path, draw(json_values), delete)).encode()
    if kind == "truncate":
        return body[:draw(st.integers(0, max(len(body) - 1, 0)))]
    if kind == "flip" and body:
        index = draw(st.integers(0, len(body) - 1))
        return body[:index] + bytes([body[index] ^ draw(st.integers(1, 255))]) + body[index + 1:]
    return draw(st.binary(max_size=300))


@st.composite
def mutated_headers(draw: st.DrawFn, headers: dict[str, str]) -> dict[str, str]:
    """The case's headers, perhaps with one removed or one given a random value."""
    changed = dict(headers)
    action = draw(st.sampled_from(["keep", "keep", "drop", "garble"]))
    if action != "keep" and changed:
        name = draw(st.sampled_from(sorted(changed)))
        if action == "drop":
            del changed[name]
        else:
            changed[name] = draw(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
    return changed


def case_gateway(case: Case, tmp_path: Path, settings_override: dict[str, Any]) -> Any:
    config = base_config(tmp_path / "case.db")
    config["sources"] = [{**case.source_entry(), **settings_override}]
    return build_app(config, Clock(case.now))


@pytest.mark.parametrize("case", list(STARTS.values()), ids=lambda case: case.adapter)
def test_mutated_webhooks_get_a_documented_answer_and_refusals_are_kept(case: Case, tmp_path: Path) -> None:
    assert set(STARTS) >= {name for name in ADAPTERS if name != "gtm"}, "every webhook platform has a start"
    wix = WixSigner() if case.adapter == "wix" else None
    # Wix: the source trusts the test's key, and mutations apply to the token's decoded parts.
    app = case_gateway(case, tmp_path, {"public_key": wix.public_pem} if wix else {})
    client = app.test_client()
    storage = app.extensions["tagway"].storage
    signer = signer_for(case)
    start = json.dumps(wix.unpack(case.body)).encode() if wix else case.body

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(body=mutated_body(start), headers=mutated_headers(case.headers), sign_again=st.booleans())
    def check(body: bytes, headers: dict[str, str], sign_again: bool) -> None:
        if wix is not None:
            try:
                document = json.loads(body)
            except ValueError:
                document = None
            body = wix.pack(document) if sign_again and document is not None else case.body[:len(body)]
        elif sign_again and signer is not None:
            headers = signer(body, headers, case.settings)
        before = len(storage.list_rejections(RejectionQuery(limit=1000)))
        response = post_case(client, case, body, headers)
        assert response.status_code in DOCUMENTED, (response.status_code, response.get_data(as_text=True))
        kept = storage.list_rejections(RejectionQuery(limit=1000))
        answer: Any = response.get_json(silent=True)
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
            assert len(kept) == before + 1, "a refused input is kept"
            assert answer["rejectionId"] == kept[0]["id"] and kept[0]["reason"]
            assert all({"field", "value", "expectation"} <= set(e) for e in answer["errors"])
        elif isinstance(answer, dict) and "rejected" in answer:
            assert len(kept) == before + answer["rejected"], "each refused event is kept"

    check()
