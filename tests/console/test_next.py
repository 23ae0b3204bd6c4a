"""The sign-in page's next=: only ever a path inside the console; anything else goes to the console's home."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.console.conftest import Console, csrf_of
from tests.support.gateway import ADMIN_TOKEN

HOME = "/console/live"
BAD = [
    "/console/live\r\nSet-Cookie: planted=1",
    "/console/live%0d%0aSet-Cookie:%20planted=1",
    "/console/live%250d%250aSet-Cookie:%20planted=1",
    "/console/\x00live",
    "/console/live\u2028",
    "//evil.example",
    "//evil.example/console/live",
    "https://evil.example",
    "https://evil.example/console/live",
    "javascript:alert(1)",
    "/\\evil.example",
    "/console/\\evil.example",
    "/console//evil.example",
    "/console/%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%2Fconsole%2Flive",
    "/console/../v1/events",
    "/console/%2e%2e/v1/events",
    "/console%2F..%2F..%2F%2Fevil.example",
    "/v1/events",
    "/consoleevil",
    " /console/live",
]
GOOD = ["/console/sources", "/console/live?source=web&name=Purchase", "/console/events/a%20b", "/console"]


def sign_in_to(app: Flask, target: str) -> str:
    client = app.test_client()
    form = client.get("/console/login", query_string={"next": target})
    assert form.status_code == 200
    response = client.post("/console/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text),
                                                   "next": target})
    assert response.status_code == 303
    return response.headers["Location"]


@pytest.mark.parametrize("target", BAD)
def test_a_bad_next_signs_in_to_the_home_page(app: Flask, target: str) -> None:
    assert sign_in_to(app, target) == HOME


@pytest.mark.parametrize("target", BAD)
def test_a_signed_in_browser_sent_to_a_bad_next_lands_on_the_home_page(console: Console, target: str) -> None:
    response = console.get("/console/login", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == HOME


@pytest.mark.parametrize("target", GOOD)
def test_a_path_inside_the_console_is_where_signing_in_goes(app: Flask, target: str) -> None:
    assert sign_in_to(app, target) == target


def test_a_page_asked_for_signed_out_is_reached_after_signing_in(app: Flask) -> None:
    client = app.test_client()
    asked = client.get("/console/live?source=web&name=Purchase")
    assert asked.headers["Location"] == "/console/login?next=%2Fconsole%2Flive%3Fsource%3Dweb%26name%3DPurchase"
    form = client.get(asked.headers["Location"])
    response = client.post("/console/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text),
                                                   "next": "/console/live?source=web&name=Purchase"})
    assert response.headers["Location"] == "/console/live?source=web&name=Purchase"
