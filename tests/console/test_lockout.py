"""Guessing the admin token on the sign-in page: a few wrong tokens from one address lock that address out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.console.conftest import csrf_of
from tests.support.gateway import ADMIN, ADMIN_TOKEN

GUESS = "adm_guess_0123456789abcdefghij"
ATTACKER = "203.0.113.9"
OPERATOR = "198.51.100.20"


def three_failures(make_app: Callable[..., Flask]) -> Flask:
    return make_app(admin={"token": ADMIN_TOKEN, "lockout_failures": 3, "lockout_seconds": 600})


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return three_failures(make_app)


def browser(app: Flask, address: str, **environ: Any) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, **environ})
    return client


def try_token(client: FlaskClient, token: str) -> TestResponse:
    form = client.get("/console/login")
    return client.post("/console/login", data={"token": token, "csrf_token": csrf_of(form.text)})


def test_after_too_many_wrong_tokens_even_the_right_one_is_refused(make_app: Callable[..., Flask],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    app = three_failures(make_app)  # built inside the test: its log handler writes to the stream capsys reads
    attacker = browser(app, ATTACKER)
    assert [try_token(attacker, GUESS).status_code for _ in range(3)] == [401, 401, 401]

    locked = try_token(attacker, ADMIN_TOKEN)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 600
    assert "Too many wrong admin tokens" in locked.text and "locked for 10 minutes" in locked.text
    assert attacker.get("/console/live").status_code == 303  # still signed out
    # The API shares the count: the same address is locked out of it too.
    assert attacker.get("/v1/events", headers=ADMIN).status_code == 429

    logged = capsys.readouterr().err
    assert logged.count('"message": "wrong admin token"') == 3 and ATTACKER in logged
    assert GUESS not in logged and ADMIN_TOKEN not in logged


def test_another_address_still_signs_in_and_resets_nobody_elses_count(app: Flask) -> None:
    attacker, operator = browser(app, ATTACKER), browser(app, OPERATOR)
    for _ in range(3):
        try_token(attacker, GUESS)
    assert try_token(operator, ADMIN_TOKEN).status_code == 303
    assert operator.get("/console/live").status_code == 200
    assert try_token(attacker, ADMIN_TOKEN).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(make_app: Callable[..., Flask]) -> None:
    app = make_app(admin={"token": ADMIN_TOKEN, "lockout_failures": 2},
                   server={"public_url": "https://gateway.example.com", "trusted_proxies": 1})
    proxy = "10.0.0.2"  # every request comes through it
    attacker = browser(app, proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    operator = browser(app, proxy, HTTP_X_FORWARDED_FOR=OPERATOR)
    for _ in range(2):
        try_token(attacker, GUESS)
    assert try_token(attacker, ADMIN_TOKEN).status_code == 429
    assert try_token(operator, ADMIN_TOKEN).status_code == 303


def test_failures_below_the_limit_leave_the_right_token_working(app: Flask) -> None:
    client = browser(app, OPERATOR)
    assert [try_token(client, GUESS).status_code for _ in range(2)] == [401, 401]
    assert try_token(client, ADMIN_TOKEN).status_code == 303
