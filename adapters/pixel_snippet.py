"""The code a shop owner pastes for a builder's pixel: the platform's part around tagway's transport, filled in."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from adapters.base import Adapter

TRANSPORT = Path(__file__).with_name("pixel_transport.js")
VERSION = "1.0.0"


def pixel_snippet(platform_js: Path, library: str, gateway_url: str, write_key: str | None,
                  html: bool = False) -> str:
    """The filled-in snippet: `html` wraps it in a <script> element (for builders whose custom code is HTML)."""
    endpoint = f"{gateway_url.rstrip('/')}/v1/collect?k={quote(write_key or '<write key>', safe='')}"
    header = f"  var ENDPOINT = {_js_string(endpoint)};\n  var LIBRARY = {{name: {_js_string(library)}, " \
             f"version: {_js_string(VERSION)}}};\n"
    body = (f"// tagway {library} {VERSION}: forwards the platform's own events to the gateway\n"
            "(function () {\n  \"use strict\";\n" + header + TRANSPORT.read_text(encoding="utf-8") +
            platform_js.read_text(encoding="utf-8") + "})();\n")
    return f"<script>\n{body}</script>\n" if html else body


def _js_string(value: str) -> str:
    """A JavaScript string literal of `value`: JSON's, with "<" escaped so that nothing closes a <script>."""
    return json.dumps(value).replace("<", "\\u003c")


class PixelAdapter(Adapter):
    """What every builder pixel adapter is: the platform's own browser events, posted by tagway's snippet.

    A subclass gives its name, title, settings schema (a ConsentSettings), parse and snippet.
    """

    content_types = ("text/plain", "application/json")  # text/plain: a fetch without CORS preflight
    receives_webhooks = False
    collects_from_browsers = True
    platform_pixel = True  # the platform's own events: believed first on an order's visit
    answers_any_origin = True  # the snippet reads the status (no cookies: the write key authenticates)
    accepts_write_key = True
