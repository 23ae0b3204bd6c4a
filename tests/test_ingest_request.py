"""Reading ingestion requests from the WSGI environ: what is kept, what is masked, what is read."""

from __future__ import annotations

import io
from typing import Any

import pytest

from app.config.model import Limits
from app.ingest.request import WsgiRequest, masked_query, read_body


def environ(query: str = "", body: bytes = b"", **extra: Any) -> dict[str, Any]:
    """A WSGI environ as gunicorn builds it."""
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/v1/collect", "QUERY_STRING": query,
            "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True, **extra}


@pytest.mark.parametrize(("query", "kept"), [
    ("k=wk_secret&v=1&d=eyJ9", "k=***&v=1&d=eyJ9"),
    ("v=1&WriteKey=wk_secret&token=", "v=1&WriteKey=***&token=***"),
    ("k=one&k=two", "k=***&k=***"),
    ("kind=page&keys=3&d=a%3Db", "kind=page&keys=3&d=a%3Db"),
    ("k", "k"),
    ("", ""),
    ("%6B=wk_secret&v=1", "%6B=***&v=1"),  # an encoded name authenticates (it is read decoded): it is masked too
    ("%6b=wk_secret&Write%5Fkey=wk_2", "%6b=***&Write%5Fkey=***"),
])
def test_credential_parameters_are_masked_and_the_rest_is_kept_as_received(query: str, kept: str) -> None:
    assert masked_query(query) == kept


def test_query_parameters_keep_blank_values_repeats_and_utf8() -> None:
    # WSGI hands the query string over as latin-1; the parameters are UTF-8 text.
    query = "a=1&a=2&blank=&name=%EC%95%88%EB%85%95&raw=" + "é".encode().decode("latin-1")
    request = WsgiRequest(environ(query))
    assert request.args == {"a": ["1", "2"], "blank": [""], "name": ["안녕"], "raw": ["é"]}
    assert request.arg("a") == "1"
    assert request.arg("missing") is None
    assert request.arg("missing", "") == ""


def test_headers_and_path_come_from_the_environ() -> None:
    request = WsgiRequest(environ(CONTENT_TYPE="application/json", HTTP_X_SHOPIFY_TOPIC="orders/create",
                                  PATH_INFO="/v1/webhooks/" + "숍".encode().decode("latin-1")))
    assert request.header("Content-Type") == "application/json"
    assert request.header("x-shopify-topic") == "orders/create"
    assert request.header("Origin") is None
    assert request.path == "/v1/webhooks/숍"


@pytest.mark.parametrize(("declared", "length"), [("12", 12), (" 7 ", 7), ("-3", 0), ("ten", 0), (None, None)])
def test_content_length_is_read_as_werkzeug_reads_it(declared: str | None, length: int | None) -> None:
    extra = {"CONTENT_LENGTH": declared} if declared is not None else {}
    assert WsgiRequest(environ(**extra)).content_length == length


def test_a_chunked_body_is_read_to_its_end_and_an_oversized_one_is_cut() -> None:
    limits = Limits(max_request_bytes=10, max_kept_body_bytes=4)
    chunked = WsgiRequest(environ(body=b"0123456789", HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="3"))
    assert read_body(chunked, limits).data == b"0123456789"
    oversized = read_body(WsgiRequest(environ(body=b"0123456789!", CONTENT_LENGTH="11")), limits)
    assert (oversized.data, oversized.size, oversized.too_large) == (b"0123", 11, True)


def test_without_a_length_only_a_terminated_input_is_read() -> None:
    limits = Limits()
    unterminated = environ(body=b"{}")
    del unterminated["wsgi.input_terminated"]
    assert read_body(WsgiRequest(unterminated), limits).data == b""
    assert read_body(WsgiRequest(environ(body=b"{}")), limits).data == b"{}"
