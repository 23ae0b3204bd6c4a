"""The console's source forms in-process: what is refused and why, and secrets never shown back."""

from __future__ import annotations

from app.sources.store import SourceStore
from tests.console.conftest import Console


def stored(console: Console) -> dict[str, dict[str, object]]:
    gateway = console.client.application.extensions["tagway"]
    return {table["id"]: table for table in SourceStore(gateway.storage).tables()}


def test_adding_names_what_is_wrong_and_keeps_the_form(console: Console) -> None:
    refused = console.post("/console/sources", {"adapter": "gtm", "id": "Not A Url", "title": "Mine"})
    assert refused.status_code == 400
    assert "id: &#39;Not A Url&#39; must be 1-63 lower-case letters" in refused.text
    assert 'value="Mine"' in refused.text, "what was typed is kept"
    taken = console.post("/console/sources", {"adapter": "gtm", "id": "gtm"})
    assert taken.status_code == 400 and "a source &#39;gtm&#39; exists already" in taken.text
    unknown = console.post("/console/sources", {"adapter": "nope", "id": "x"})
    assert unknown.status_code == 400 and "platform: choose one of the list" in unknown.text
    assert stored(console) == {}


def test_a_new_source_is_shown_with_its_key_masked_and_can_be_edited(console: Console) -> None:
    added = console.post("/console/sources", {"adapter": "gtm", "id": "shop-site", "title": "Shop"})
    assert added.status_code == 303 and added.headers["Location"].endswith("/console/sources#shop-site")
    write_key = str(stored(console)["shop-site"]["write_key"])
    page = console.get("/console/sources").text
    assert 'id="source-shop-site"' in page and write_key not in page and write_key[:6] + "…" in page
    bad_json = console.post("/console/sources/shop-site/edit", {"title": "Shop", "enabled": "on", "rename": "{nope"})
    assert bad_json.status_code == 400 and "rename: expected JSON" in bad_json.text
    saved = console.post("/console/sources/shop-site/edit", {"title": "Shop 2", "rename": '{"chat": "UserChatOpen"}',
                                                             "site": "shop.example"})
    assert saved.status_code == 303
    table = stored(console)["shop-site"]
    assert table["title"] == "Shop 2" and table["enabled"] is False and table["rename"] == {"chat": "UserChatOpen"}
    assert console.client.application.extensions["tagway"].sources.get("shop-site").site == "shop.example"
    assert 'data-state="disabled"' in console.get("/console/sources").text


def test_a_secret_typed_in_is_kept_not_shown_and_a_blank_keeps_it(console: Console) -> None:
    assert console.post("/console/sources", {"adapter": "shopify", "id": "shop"}).status_code == 303
    assert 'data-state="pending"' in console.get("/console/sources").text
    secret = "shpss_typed_in_0123456789"
    assert console.post("/console/sources/shop/edit", {"enabled": "on", "secret": secret}).status_code == 303
    form = console.get("/console/sources/shop/edit").text
    assert secret not in form and "set: leave blank to keep it" in form
    assert console.post("/console/sources/shop/edit", {"enabled": "on", "secret": ""}).status_code == 303
    assert stored(console)["shop"]["secret"] == secret
    assert secret not in console.get("/console/sources").text


def test_sources_of_the_file_are_not_edited_here(console: Console) -> None:
    assert console.get("/console/sources/gtm/edit").status_code == 404
    assert console.post("/console/sources/gtm/delete").status_code == 404
    assert "defined in tagway.toml" in console.get("/console/sources").text


def test_forms_without_the_csrf_token_change_nothing(console: Console) -> None:
    refused = console.client.post("/console/sources", data={"adapter": "gtm", "id": "sneaky"})
    assert refused.status_code == 403 and stored(console) == {}
