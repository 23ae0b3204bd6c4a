"""Viewer links: a revocable read-only link per source opens that source's live events and rejections, and
nothing else (no admin page, no admin API, no other source), on both engines."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config.model import StorageSettings
from app.storage import open_storage
from tests.console.conftest import GTM_WRITE_KEY, Console, csrf_of, sign_in
from tests.console.test_pages import pixel, text_of
from tests.support.gateway import ADMIN_TOKEN, OTHER_WRITE_KEY, WRITE, WRITE_KEY

LINK = re.compile(r'value="https://gateway\.example\.com/console/view#(vw_[A-Za-z0-9_-]+)"')
SECRETS = (GTM_WRITE_KEY, WRITE_KEY, OTHER_WRITE_KEY, ADMIN_TOKEN)


def make_link(console: Console, source: str = "gtm", label: str = "Ada, shop owner") -> str:
    """Make a viewer link on the source's Share page; returns its token (shown once)."""
    page = console.post(f"/console/sources/{source}/share", {"label": label})
    assert page.status_code == 201, page.text
    found = LINK.search(page.text)
    assert found, "the new link is shown"
    return found[1]


def open_link(client: FlaskClient, token: str) -> int:
    """Open a viewer link as its page does: the token from the link's fragment, posted with the page's token."""
    landing = client.get("/console/view")
    response = client.post("/console/view", data={"token": token, "csrf_token": csrf_of(landing.text)})
    return response.status_code


def viewer(app: Flask, token: str) -> Console:
    """Another browser (the shop owner's) that opened the link."""
    client = app.test_client()
    assert open_link(client, token) == 303
    return Console(client, csrf_of(client.get("/console/live").text))


@pytest.fixture
def app_on(make_app: Callable[..., Flask], database_url: str) -> Flask:
    return make_app(storage={"url": database_url})


@pytest.fixture
def admin(app_on: Flask) -> Console:
    client = app_on.test_client()
    return Console(client, sign_in(client))


def seed(admin: Console) -> None:
    """An event and a rejection of the GTM source, and of the web source."""
    pixel(admin, {"v": 1, "id": "pv-1", "event": "gtm.js", "user": {"anonymousId": "gtm-visitor"},
                  "page": {"url": "https://shop.example.com/", "title": "Home"}})  # event 1
    admin.client.post("/v1/events", json={"name": "Lead", "user": {"anonymousId": "web-visitor"}},
                      headers=WRITE)  # event 2
    refused = admin.client.get(f"/v1/collect?k={GTM_WRITE_KEY}&v=1&d=not-base64!")  # a rejection of gtm
    assert refused.status_code == 400
    admin.client.post("/v1/events", json={"name": "Purchase", "user": {"anonymousId": "web-visitor"}},
                      headers=WRITE)


def rejection_ids(admin: Console) -> dict[str, int]:
    """Each source's newest rejection id."""
    items = admin.client.get("/v1/rejections", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json["items"]
    found: dict[str, int] = {}
    for item in items:
        found.setdefault(item["sourceId"], item["id"])
    return found


def test_a_viewer_sees_its_sources_live_events_and_rejections_only(app_on: Flask, admin: Console) -> None:
    seed(admin)
    rejections = rejection_ids(admin)
    assert set(rejections) == {"gtm", "web"}, rejections
    shop_owner = viewer(app_on, make_link(admin))

    live = shop_owner.get("/console/live")
    assert live.status_code == 200
    assert '<option value="gtm" selected>' in live.text and 'value="web"' not in live.text
    rows = shop_owner.get("/console/api/live/recent").get_json()["rows"]
    assert rows and {row["source"] for row in rows} == {"gtm"}
    assert {row["kind"] for row in rows} == {"event", "rejection"}
    assert shop_owner.get("/console/events/1").status_code == 200
    rejection = shop_owner.get(f"/console/rejections/{rejections['gtm']}")
    assert rejection.status_code == 200 and "How to fix it" in text_of(rejection.text)
    assert "/replay" not in rejection.text, "a viewer cannot replay"
    for page in (live, rejection, shop_owner.get("/console/events/1")):
        assert not any(secret in page.text for secret in SECRETS)
        assert "Read-only: Shop website" in text_of(page.text)
        assert 'href="/console/sources"' not in page.text and "/console/deliveries" not in page.text

    assert shop_owner.get("/console/events/2").status_code == 404  # the web source's event
    assert shop_owner.get(f"/console/rejections/{rejections['web']}").status_code == 404


def test_a_viewer_asking_for_another_source_is_refused(app_on: Flask, admin: Console) -> None:
    seed(admin)
    shop_owner = viewer(app_on, make_link(admin))
    assert shop_owner.get("/console/live?source=web").status_code == 403
    for path in ("/console/api/live/recent?source=web", "/console/api/live/stream?source=web"):
        refused = shop_owner.get(path)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_a_viewer_gets_its_own_sources_gtm_container_and_no_other(app_on: Flask, admin: Console) -> None:
    seed(admin)
    shop_owner = viewer(app_on, make_link(admin))
    live = shop_owner.get("/console/live")
    assert 'href="/console/sources/gtm/template"' in live.text, "the shop owner is led to the container"
    page = shop_owner.get("/console/sources/gtm/template")
    assert page.status_code == 200 and 'href="/console/sources"' not in page.text
    container = shop_owner.post("/console/sources/gtm/tagway-gtm-container.json")
    assert container.status_code == 200 and GTM_WRITE_KEY in container.text, "the write key its pages show anyway"
    assert shop_owner.post("/console/sources/gtm/template.tpl").status_code == 200
    for other in ("/console/sources/web/template", "/console/sources/web/tagway-gtm-container.json"):
        refused = shop_owner.client.open(other, method="GET" if other.endswith("template") else "POST",
                                         data={"csrf_token": shop_owner.csrf})
        assert refused.status_code == 403 and WRITE_KEY not in refused.text


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/console/sources"), ("GET", "/console/checker"), ("GET", "/console/deliveries"),
    ("GET", "/console/sources/gtm/share"), ("POST", "/console/sources/gtm/share"),
    ("POST", "/console/api/sources/gtm/secrets/write_key"), ("POST", "/console/rejections/1/replay"),
    ("POST", "/console/checker"), ("POST", "/console/deliveries/replay"), ("POST", "/console/logout/everywhere"),
])
def test_a_viewer_gets_no_admin_page_or_action(app_on: Flask, admin: Console, method: str, path: str) -> None:
    seed(admin)
    shop_owner = viewer(app_on, make_link(admin))
    response = shop_owner.client.open(path, method=method, data={"csrf_token": shop_owner.csrf},
                                      headers={"X-CSRF-Token": shop_owner.csrf})
    assert response.status_code == 403, (path, response.status_code)
    assert not any(secret in response.text for secret in SECRETS)
    assert admin.get("/console/sources").status_code == 200, "the admin is still signed in"


def test_a_viewers_cookie_opens_no_admin_api(app_on: Flask, admin: Console) -> None:
    shop_owner = viewer(app_on, make_link(admin))
    for path in ("/v1/events", "/v1/rejections", "/v1/deliveries"):
        assert shop_owner.client.get(path).status_code == 401


def test_revoking_a_link_ends_its_sessions_and_opens_nothing_after(app_on: Flask, admin: Console) -> None:
    token = make_link(admin)
    shop_owner = viewer(app_on, token)
    other_token = make_link(admin, label="Grace")
    other = viewer(app_on, other_token)
    share = admin.get("/console/sources/gtm/share")
    assert "Ada, shop owner" in text_of(share.text) and "Grace" in text_of(share.text)
    assert token not in share.text, "a link is shown only once"
    link_id = re.search(r'id="link-([0-9a-f]+)"[^<]*<p><strong>Ada', share.text)
    assert link_id, share.text
    revoked = admin.post(f"/console/sources/gtm/share/{link_id[1]}/revoke")
    assert revoked.status_code == 303

    assert shop_owner.get("/console/live").status_code == 303  # to sign in: the session ended
    assert shop_owner.get("/console/api/live/recent").status_code == 401
    assert open_link(app_on.test_client(), token) == 404
    assert other.get("/console/api/live/recent").status_code == 200, "the other link still works"
    assert "revoked" in text_of(admin.get("/console/sources/gtm/share").text)


def test_a_wrong_or_mangled_link_opens_nothing(app_on: Flask, admin: Console) -> None:
    token = make_link(admin)
    client = app_on.test_client()
    for wrong in (token[:-1], "vw_" + "A" * 43, ADMIN_TOKEN, ""):
        status = open_link(client, wrong)
        assert status in (400, 404), (wrong, status)
        assert client.get("/console/live").status_code == 303


def test_links_need_the_admins_session_and_the_pages_token(app_on: Flask, admin: Console) -> None:
    assert admin.client.post("/console/sources/gtm/share", data={"label": "x"}).status_code == 403
    assert app_on.test_client().post("/console/sources/gtm/share").status_code == 401
    assert admin.get("/console/sources/nowhere/share").status_code == 404


def test_only_a_digest_of_the_link_is_stored(app_on: Flask, admin: Console, database_url: str) -> None:
    token = make_link(admin)
    storage = open_storage(StorageSettings(url=database_url))
    try:
        with storage.transaction() as connection:
            rows = connection.execute("SELECT * FROM console_viewer_links").fetchall()
            sessions = connection.execute("SELECT * FROM console_sessions").fetchall()
    finally:
        storage.close()
    assert rows and not any(token in str(value) for row in rows for value in row)
    assert not any(token in str(value) for row in sessions for value in row)


def test_guessing_links_locks_the_address_out_like_wrong_admin_tokens(app_on: Flask, admin: Console) -> None:
    token = make_link(admin)
    guesser = app_on.test_client()
    for _ in range(10):
        assert open_link(guesser, "vw_" + "B" * 43) == 404
    assert open_link(guesser, token) == 429, "locked out, even with a right link"
