"""The snippet a site owner pastes follows the operator's settings: the renamed `[sdk] path`, the source's own.

`tagway sources add web` and the console's Sources page give the same text (one function builds it), and the
script it names is really served there with the integrity hash it names.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from adapters.sdk import Adapter, Event, InboundRequest, Source
from app.config import load_config
from app.config.model import SourceConfig
from app.registry import discover_adapters
from app.sdk import browser_script
from app.sources.endpoints import install_snippet
from tests.console.conftest import sign_in
from tests.sdk.conftest import BOOT
from tests.support.gateway import base_config, build_app
from tests.support.server import write_config

TAGWAY = str(Path(sys.executable).parent / "tagway")
PUBLIC = "https://events.shop.com"
LOADER = re.compile(r'\(window,document,"([^"]+)","([^"]+)"\)')


def loader_and_boot(snippet: str) -> tuple[str, str, dict[str, Any]]:
    """The script URL, its integrity and the boot options a snippet names."""
    url, integrity = LOADER.search(snippet).groups()  # type: ignore[union-attr]
    return url, integrity, json.loads(BOOT.search(snippet)[1])  # type: ignore[index]


def renamed_gateway(directory: Path) -> dict[str, Any]:
    """A gateway whose operator renamed the script's prefix (as one does when ad blockers match /t/)."""
    config = base_config(directory / "tagway.db")
    config["server"]["public_url"] = PUBLIC
    config["sdk"] = {"path": "/assets/js"}
    write_config(directory / "tagway.toml", config)
    return config


def test_the_cli_and_the_console_give_one_snippet_with_the_renamed_path_and_the_cookie_domain(tmp_path: Path) -> None:
    config = renamed_gateway(tmp_path)
    added = subprocess.run([TAGWAY, "sources", "add", "web", "--id", "shop", "--setting", "cookie_domain=shop.com"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True).stdout
    write_key = re.search(r"^Write key: +(\S+)$", added, re.MULTILINE)[1]  # type: ignore[index]
    printed = added.split("The code to paste:\n\n", 1)[1].strip()
    url, integrity, boot = loader_and_boot(printed)
    assert url == f"{PUBLIC}/assets/js/{browser_script().file_name}"
    assert boot == {"writeKey": write_key, "endpoint": PUBLIC, "cookieDomain": "shop.com"}

    # The console of a gateway on the same configuration and database: the same snippet, its key masked on the page.
    client = build_app(config).test_client()
    csrf = sign_in(client)
    page = client.get("/console/sources").text
    shown = html.unescape(re.search(r'id="secret-shop-snippet" data-masked="([^"]*)"', page)[1])  # type: ignore[index]
    assert write_key not in shown
    assert loader_and_boot(shown) == (url, integrity, {**boot, "writeKey": write_key[:6] + "…"})
    revealed = client.post("/console/api/sources/shop/secrets/snippet", headers={"X-CSRF-Token": csrf})
    assert revealed.get_json()["value"] == printed, "the console and the CLI give one answer"

    # That URL is where the gateway serves the script, whose bytes hold the integrity the snippet names.
    served = client.get(url.removeprefix(PUBLIC))
    assert served.status_code == 200 and served.data.startswith(b"/*! tagway.js")
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(served.data).digest()).decode()


class OldPixel(Adapter):
    """An adapter package written before `sdk_url`: its install_snippet has the first signature."""

    name = "old_pixel"
    receives_webhooks = False

    def parse(self, request: InboundRequest, source: Source) -> list[Event]:
        return []

    def install_snippet(self, source: Source, gateway_url: str, write_key: str | None) -> str | None:  # type: ignore[override]
        return f"<script src='{gateway_url}/pixel.js' data-key='{write_key}'></script>"


def test_an_adapter_written_before_sdk_url_still_gives_its_snippet(tmp_path: Path) -> None:
    renamed_gateway(tmp_path)
    config = load_config(tmp_path / "tagway.toml", discover_adapters(), {})
    snippet = install_snippet(OldPixel(), SourceConfig(id="old", adapter="old_pixel"), config, "wk_1")
    assert snippet == f"<script src='{PUBLIC}/pixel.js' data-key='wk_1'></script>"
