"""The public URL is checked: an address visitors and builders cannot reach, or plain http, gets a warning."""

from __future__ import annotations

from typing import Any

import pytest

from app.config.public_address import public_url_problem
from tests.console.conftest import sign_in


@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1:8000", "this machine's own address"),
    ("http://localhost:8000/", "this machine's own address"),
    ("https://[::1]:8443", "this machine's own address"),
    ("http://events.shop.example", "plain http"),
    ("https://events.shop.example", None),
    ("https://events.shop.example:8443/tagway", None),
])
def test_a_public_url_is_checked_for_a_real_deployment(url: str, problem: str | None) -> None:
    found = public_url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found and "TAGWAY_SERVER__PUBLIC_URL" in found


def test_the_console_shows_the_warning_and_the_steps_on_every_page(make_app: Any) -> None:
    client = make_app(server={"public_url": "http://127.0.0.1:8000"}).test_client()
    sign_in(client)
    for page in ("/console/live", "/console/sources"):
        text = client.get(page).get_data(as_text=True)
        assert 'id="public-url-problem"' in text and "set [server] public_url" in text


def test_a_reachable_https_address_shows_no_warning(make_app: Any) -> None:
    client = make_app().test_client()  # the tests' https://gateway.example.com
    sign_in(client)
    assert 'id="public-url-problem"' not in client.get("/console/sources").get_data(as_text=True)
