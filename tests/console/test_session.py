"""Signing in, the session cookie and CSRF: what keeps the console (and its secrets) to the operator."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.console.conftest import GTM_WRITE_KEY, Console, csrf_of, sign_in
from tests.support.gateway import ADMIN_TOKEN, WRITE_KEY

PAGES = ["/console/live", "/console/sources", "/console/checker", "/console/deliveries", "/console/events/1"]
ACTIONS = ["/console/logout", "/console/logout/everywhere", "/console/checker", "/console/deliveries/replay",
           "/console/api/sources/web/secrets/write_key"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_signed_out_browser_to_the_login_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/login?next=" + path.replace("/", "%2F")


def test_the_api_answers_401_without_a_session(client: FlaskClient) -> None:
    for path in ("/console/api/live/recent", "/console/api/live/stream"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert "admin token" in response.get_json()["detail"]


def test_the_admin_token_signs_in_and_goes_where_the_person_was_going(client: FlaskClient) -> None:
    form = client.get("/console/login?next=/console/sources")
    response = client.post("/console/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text),
                                                   "next": "/console/sources"})
    assert response.status_code == 303 and response.headers["Location"] == "/console/sources"
    assert client.get("/console/sources").status_code == 200


def test_a_wrong_token_is_refused_and_never_shown_back(client: FlaskClient) -> None:
    form = client.get("/console/login")
    guess = "adm_guess_0123456789abcdefghij"
    response = client.post("/console/login", data={"token": guess, "csrf_token": csrf_of(form.text)})
    assert response.status_code == 401
    assert "That is not the admin token" in response.text
    assert guess not in response.text
    assert client.get("/console/live").status_code == 303  # still signed out


def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_console(client: FlaskClient) -> None:
    form = client.get("/console/login")
    response = client.post("/console/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert ADMIN_TOKEN not in cookie


def test_https_makes_the_cookie_secure(client: FlaskClient) -> None:
    form = client.get("/console/login", base_url="https://localhost")
    response = client.post("/console/login", base_url="https://localhost",
                           data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text)})
    assert "Secure" in response.headers["Set-Cookie"]


def test_signing_in_changes_the_csrf_token(client: FlaskClient) -> None:
    before = csrf_of(client.get("/console/login").text)
    after = sign_in(client)
    assert after != before


def test_the_login_form_needs_its_csrf_token(client: FlaskClient) -> None:
    client.get("/console/login")
    response = client.post("/console/login", data={"token": ADMIN_TOKEN})
    assert response.status_code == 403
    assert client.get("/console/live").status_code == 303


def test_the_login_page_never_sends_anyone_to_another_site(app: Flask) -> None:
    for target in ("https://evil.example/", "//evil.example/console/", "/v1/events", "/console\\@evil.example"):
        client = app.test_client()
        form = client.get("/console/login")
        response = client.post("/console/login", data={"token": ADMIN_TOKEN, "csrf_token": csrf_of(form.text),
                                                       "next": target})
        assert response.headers["Location"] == "/console/live"


@pytest.mark.parametrize("path", ACTIONS)
def test_a_post_without_the_csrf_token_is_refused_even_when_signed_in(console: Console, path: str) -> None:
    response = console.client.post(path, data={"url": "https://shop.example.com/", "destination": "crm"})
    assert response.status_code == 403
    assert "security token" in response.text


@pytest.mark.parametrize("path", ACTIONS)
def test_the_csrf_token_of_another_session_is_refused(console: Console, app: Flask, path: str) -> None:
    other = sign_in(app.test_client())
    response = console.client.post(path, data={"csrf_token": other, "url": "https://shop.example.com/"},
                                   headers={"X-CSRF-Token": other})
    assert response.status_code == 403


def test_the_csrf_header_is_accepted_for_scripts(console: Console) -> None:
    response = console.client.post("/console/api/sources/web/secrets/write_key", headers={"X-CSRF-Token": console.csrf})
    assert response.status_code == 200


def test_signing_out_ends_the_session(console: Console) -> None:
    response = console.post("/console/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/console/login"
    assert "tagway_console=;" in response.headers["Set-Cookie"]
    assert console.get("/console/live").status_code == 303


def test_a_request_without_the_session_never_touches_the_session_cookie(console: Console, app: Flask) -> None:
    # A link or form from another site arrives without the SameSite=Strict cookie: answering it must not
    # replace or remove the session the browser holds.
    stranger = app.test_client()
    for response in (stranger.post("/console/logout"), stranger.get("/console/live"),
                     stranger.post("/console/login", data={"token": ADMIN_TOKEN})):
        assert "tagway_console=" not in response.headers.get("Set-Cookie", "")
    assert stranger.get_cookie("tagway_console", path="/console") is None
    assert stranger.get_cookie("tagway_console_login", path="/console") is not None  # the login form's only


def test_the_login_page_sends_a_signed_in_browser_on(console: Console) -> None:
    response = console.get("/console/login?next=/console/deliveries")
    assert response.status_code == 303 and response.headers["Location"] == "/console/deliveries"


def test_a_tampered_cookie_is_a_signed_out_browser(console: Console) -> None:
    cookie = console.client.get_cookie("tagway_console", path="/console")
    assert cookie is not None
    console.client.set_cookie("tagway_console", cookie.value[:-2] + "xx", path="/console")
    assert console.get("/console/live").status_code == 303


def test_a_new_admin_token_signs_every_session_out(console: Console, make_app: Any) -> None:
    cookie = console.client.get_cookie("tagway_console", path="/console")
    assert cookie is not None
    rotated = make_app(admin={"token": "adm_rotated_0123456789abcdefghij"}).test_client()
    rotated.set_cookie("tagway_console", cookie.value, path="/console")
    assert rotated.get("/console/live").status_code == 303


def test_pages_carry_no_secret_and_forbid_framing_and_foreign_scripts(console: Console) -> None:
    for path in PAGES[:4]:
        response = console.get(path)
        assert response.status_code == 200
        for secret in (ADMIN_TOKEN, WRITE_KEY, GTM_WRITE_KEY):
            assert secret not in response.text
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["Cache-Control"] == "no-store"


def test_assets_are_served_by_the_gateway_without_signing_in(client: FlaskClient) -> None:
    page = client.get("/console/login").text
    for asset in ("console.css", "console.js"):
        assert f"/console/static/{asset}" in page
        assert client.get(f"/console/static/{asset}").status_code == 200
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page
