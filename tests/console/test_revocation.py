"""Signing out revokes the session in the database: a copied cookie is refused after it, on every machine."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.console.conftest import Console, sign_in
from tests.support.gateway import WRITE_KEY

REVEAL = "/console/api/sources/web/secrets/write_key"


def signed_in(app: Flask) -> Console:
    client = app.test_client()
    return Console(client, sign_in(client))


def session_cookie(console: Console) -> str:
    cookie = console.client.get_cookie("tagway_console", path="/console")
    assert cookie is not None
    return cookie.value


def holding(app: Flask, cookie: str) -> FlaskClient:
    """Another browser (an attacker's) presenting a copy of the cookie."""
    client = app.test_client()
    client.set_cookie("tagway_console", cookie, path="/console")
    return client


def assert_refused(client: FlaskClient, csrf: str) -> None:
    """Pages send the browser to sign in; the console's JSON endpoints answer a 401 problem."""
    page = client.get("/console/live")
    assert page.status_code == 303 and page.headers["Location"].startswith("/console/login?next=")
    for response in (client.get("/console/api/live/recent"), client.post(REVEAL, headers={"X-CSRF-Token": csrf})):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert WRITE_KEY not in response.text


def test_a_cookie_copied_before_signing_out_is_refused_after_it_on_every_machine(
        make_app: Callable[..., Flask], database_url: str) -> None:
    machine_a, machine_b = (make_app(storage={"url": database_url}) for _ in range(2))
    console = signed_in(machine_a)
    copied = session_cookie(console)
    revealed = holding(machine_b, copied).post(REVEAL, headers={"X-CSRF-Token": console.csrf})
    assert revealed.status_code == 200 and revealed.get_json()["value"] == WRITE_KEY  # the copy works until...

    assert console.post("/console/logout").headers["Location"] == "/console/login"

    for machine in (machine_a, machine_b):
        assert_refused(holding(machine, copied), console.csrf)


def test_signing_out_ends_only_that_session(make_app: Callable[..., Flask], database_url: str) -> None:
    app = make_app(storage={"url": database_url})
    leaving, staying = signed_in(app), signed_in(app)
    leaving.post("/console/logout")
    assert staying.get("/console/live").status_code == 200


def test_signing_out_everywhere_refuses_every_browsers_session(make_app: Callable[..., Flask],
                                                               database_url: str) -> None:
    machine_a, machine_b = (make_app(storage={"url": database_url}) for _ in range(2))
    mine, other = signed_in(machine_a), signed_in(machine_b)
    copied = session_cookie(mine)

    response = mine.post("/console/logout/everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/console/login"
    assert "tagway_console=;" in response.headers["Set-Cookie"]

    assert_refused(other.client, other.csrf)
    assert_refused(holding(machine_b, copied), mine.csrf)
    assert signed_in(machine_b).get("/console/live").status_code == 200  # signing in again works


def test_every_page_offers_both_ways_to_sign_out(console: Console) -> None:
    page = console.get("/console/live").text
    assert 'action="/console/logout"' in page
    assert 'formaction="/console/logout/everywhere"' in page and "Sign out everywhere" in page
