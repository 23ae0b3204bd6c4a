"""Authentication of Cafe24 webhooks: the app's webhook API key, sent back in a request header.

Cafe24 asks receivers to check the API key of every webhook and to refuse a wrong one (notice
"웹훅 수신시 API Key 검증 로직 추가 및 검증 실패시 403 에러 응답 요청", 2023-08-02). The key is a
shared secret, compared in constant time; it does not sign the body and carries no timestamp, so
it cannot reveal an altered body or a replay (see README.md). The header name is the one
third-party receivers read; Cafe24's own page naming it was not found (UNCONFIRMED).
"""

from __future__ import annotations

from adapters.base import InboundRequest, SignatureInvalid, same_secret

API_KEY_HEADER = "X-API-Key"


def verify_api_key(request: InboundRequest, api_key: str) -> None:
    """The request's `X-API-Key` equals the configured key; raise SignatureInvalid otherwise."""
    given = request.header(API_KEY_HEADER)
    if not given:
        raise SignatureInvalid(f"the {API_KEY_HEADER} header is missing: Cafe24 sends the app's webhook API key "
                               "in it", header=API_KEY_HEADER)
    if not api_key or not same_secret(given, api_key):
        raise SignatureInvalid(f"the {API_KEY_HEADER} header does not match this source's api_key",
                               header=API_KEY_HEADER)
