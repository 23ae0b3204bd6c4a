"""The gateway's side of tagway.js: the served file, the printed snippet, the id cookie, a member left out."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from adapters.sdk import Source
from adapters.web import adapter as web_adapter
from app import sdk as sdk_package
from app.config import ConfigError, load_config
from app.registry import discover_adapters
from app.sdk import EARLIER_FOLDER, browser_script
from tests.sdk.conftest import MEMBER_HASH, MEMBER_SECRET
from tests.support.gateway import ADMIN, build_app
from tests.support.server import write_config

WEB_KEY = "wk_web_sdk_0123456789abcdefgh"
SHOP = "https://www.shop.com"
AID = str(uuid.UUID(int=7))
TAGWAY = str(Path(sys.executable).parent / "tagway")


def web_source(**settings: Any) -> dict[str, Any]:
    return {"id": "shop", "adapter": "web", "write_key": WEB_KEY, "allowed_origins": [SHOP], **settings}


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    config["sources"].append(web_source(cookie_domain="shop.com"))
    return config


@pytest.fixture
def client(app: Any) -> FlaskClient:
    """A client without a cookie jar: the tests send the Cookie header themselves, as a browser does."""
    return app.test_client(use_cookies=False)  # type: ignore[no-any-return]


def batch(*items: dict[str, Any]) -> str:
    return json.dumps({"v": 1, "sentAt": 1795521600000, "library": {"name": "tagway.js", "version": "1.0.0"},
                       "batch": list(items)})


def item(**fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": "track", "name": "UserChatOpen", "occurredAt": 1795521600000,
            "anonymousId": AID, "page": {"url": f"{SHOP}/products/1"}, **fields}


def collect(client: FlaskClient, body: str, cookie: str = "") -> Any:
    """A POST as tagway.js sends it, with the Cookie header as the browser sends it."""
    return client.post(f"/v1/collect?k={WEB_KEY}", data=body, headers={
        "Content-Type": "text/plain;charset=UTF-8", "Origin": SHOP, **({"Cookie": cookie} if cookie else {})})


def test_the_script_is_served_versioned_cached_for_a_year_with_an_etag(client: FlaskClient) -> None:
    script = browser_script()
    answer = client.get(f"/t/{script.file_name}")
    assert answer.status_code == 200 and answer.data == script.body
    assert answer.headers["Content-Type"].startswith("text/javascript")
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Access-Control-Allow-Origin"] == "*", "a <script integrity> loads in CORS mode"
    again = client.get(f"/t/{script.file_name}", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/t/0.0.1.js").status_code == 404, "another version is not this file"


def test_an_earlier_version_stays_served_as_its_pasted_snippet_names_it(client: FlaskClient) -> None:
    # A snippet pasted while 1.0.0 was current names /t/1.0.0.js with that file's integrity hash: a newer
    # file under the old name would be refused by the browser, and no file would stop the page's events.
    earlier = Path(str(sdk_package.__file__)).with_name(EARLIER_FOLDER)
    kept = sorted(earlier.glob("*.js"))
    assert [path.name for path in kept][:1] == ["1.0.0.js"] and browser_script().file_name not in {
        path.name for path in kept}
    for path in kept:
        answer = client.get(f"/t/{path.name}")
        assert answer.status_code == 200 and answer.data == path.read_bytes()
        assert answer.data.startswith(f"/*! tagway.js {path.stem} ".encode()), "each file is the version it names"
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for missing in ("0.9.0.js", "../tagway.min.js", "..%2Ftagway.min.js", "earlier.js"):
        assert client.get(f"/t/{missing}").status_code == 404


def test_the_prefix_can_be_renamed(config: dict[str, Any]) -> None:
    config["sdk"] = {"path": "/assets/js"}
    client = build_app(config).test_client()
    script = browser_script()
    assert client.get(f"/assets/js/{script.file_name}").data == script.body
    assert client.get(f"/t/{script.file_name}").status_code == 404
    assert "/assets/js/{file}" in client.get("/v1/openapi.json").get_json()["paths"]


def test_a_prefix_over_the_gateways_own_routes_is_refused(tmp_path: Path, config: dict[str, Any]) -> None:
    config["sdk"] = {"path": "/v1/sdk"}
    with pytest.raises(ConfigError) as refused:
        load_config(write_config(tmp_path / "tagway.toml", config), discover_adapters(), {})
    assert "sdk.path" in str(refused.value)


def test_the_snippet_names_the_served_file_by_its_integrity_hash(client: FlaskClient) -> None:
    snippet = web_adapter.install_snippet(Source("shop", "web"), "https://events.shop.com/", WEB_KEY)
    assert snippet is not None
    url, integrity = re.search(r'\(window,document,"([^"]+)","([^"]+)"\)', snippet).groups()  # type: ignore[union-attr]
    assert url == f"https://events.shop.com/t/{browser_script().file_name}"
    served = client.get(url.removeprefix("https://events.shop.com")).data
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(served).digest()).decode()
    assert f'"writeKey": "{WEB_KEY}"' in snippet and '"endpoint": "https://events.shop.com"' in snippet


def test_sources_add_web_prints_the_snippet_with_the_gateway_and_the_write_key(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TAGWAY, *args], cwd=tmp_path, capture_output=True, text=True, check=True)

    run("init", "--public-url", "https://events.shop.com")
    printed = run("sources", "add", "web").stdout
    write_key = re.search(r"^Write key: +(\S+)$", printed, re.MULTILINE)[1]  # type: ignore[index]
    assert f'tagway("boot",{{"writeKey": "{write_key}", "endpoint": "https://events.shop.com"}});' in printed
    assert f"https://events.shop.com/t/{browser_script().file_name}" in printed
    assert browser_script().integrity in printed


def test_a_first_party_gateway_sets_the_id_cookie_again_over_http(client: FlaskClient) -> None:
    answer = collect(client, batch(item()), cookie=f"tw_aid={AID}; other=1")
    assert answer.status_code == 200, answer.text
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"tw_aid={AID}; Domain=shop.com;")
    assert "Max-Age=31536000" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "HttpOnly" not in cookie, "the SDK reads it to keep localStorage in sync"
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.parametrize("cookie", ["", "tw_aid=x", 'tw_aid="a; Domain=evil.com"', "tw_aid=" + "a" * 65])
def test_no_cookie_is_set_back_unless_the_browser_sent_an_id(client: FlaskClient, cookie: str) -> None:
    answer = collect(client, batch(item()), cookie=cookie)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_a_refused_batch_sets_no_cookie(client: FlaskClient) -> None:
    answer = collect(client, '{"v": 1, "batch": [', cookie=f"tw_aid={AID}")
    assert answer.status_code == 400 and "Set-Cookie" not in answer.headers


def test_a_gateway_on_another_domain_sets_no_cookie(config: dict[str, Any]) -> None:
    config["sources"][-1] = web_source()
    answer = collect(build_app(config).test_client(use_cookies=False), batch(item()), cookie=f"tw_aid={AID}")
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_a_member_without_a_valid_hash_is_left_out_and_the_rejection_list_says_why(
        config: dict[str, Any], database_url: str) -> None:
    config["storage"]["url"] = database_url
    config["sources"][-1] = web_source(member_secret=MEMBER_SECRET, require_member_hash=True)
    client = build_app(config).test_client()
    good, bad, missing = (item(memberId="lucas", memberHash=MEMBER_HASH), item(memberId="lucas", memberHash="ab" * 32),
                          item(memberId="lucas"))
    answer = collect(client, batch(good, bad, missing))
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    assert (body["stored"], body["rejected"]) == (3, 0)
    first, second, third = body["results"]
    assert "dropped" not in first and "rejectionId" not in first
    assert second["dropped"][0]["field"] == "batch[1].memberHash"
    assert second["dropped"][0]["value"] == "ab" * 32 and third["dropped"][0]["value"] is None
    listed = client.get("/v1/events?source=shop", headers=ADMIN).get_json()["items"]
    events = {e["event"]["id"]: e["event"] for e in listed}
    assert events[good["id"]]["user"] == {"anonymousId": AID, "memberId": "lucas", "memberVerified": True}
    assert events[bad["id"]]["user"] == events[missing["id"]]["user"] == {"anonymousId": AID}
    kept = client.get("/v1/rejections?source=shop", headers=ADMIN).get_json()["items"]
    assert sorted(r["id"] for r in kept) == sorted([second["rejectionId"], third["rejectionId"]])
    assert {r["reason"] for r in kept} == {"dropped"}
    again = collect(client, batch(good, bad, missing)).get_json()
    assert again["duplicates"] == 3, "a retried batch is stored once"
