"""`<sdk path>/<version>.js`: tagway.js, served by the gateway itself (first-party, under a renameable prefix).

A version's file never changes, so it is cached for a year (`immutable`); a new version is a new URL, which the
snippet printed by `tagway sources add web` names with its Subresource Integrity hash, and the earlier versions'
files stay served as they were (app/sdk/earlier/) for the snippets that name them. The ETag lets a cache that
revalidates anyway get a 304.
"""

from __future__ import annotations

from adapters.base import Problem
from app.gateway import Gateway
from app.ingest.outcome import Outcome
from app.ingest.request import WsgiRequest
from app.problems import ProblemError
from app.sdk import browser_script, served_script

CACHE_FOR_A_YEAR = "public, max-age=31536000, immutable"


def handle_sdk_file(gateway: Gateway, request: WsgiRequest, file: str) -> Outcome:
    """The current script or a kept earlier version's, with a year of caching, its ETag and CORS for SRI."""
    script = served_script(file)
    if script is None:
        return Outcome.of_problem(ProblemError("not-found", [Problem(
            "path", request.path, f"{gateway.config.sdk.path}/{browser_script().file_name}: this gateway's "
                                  "tagway.js (or an earlier version it keeps)")]))
    headers = {"Cache-Control": CACHE_FOR_A_YEAR, "ETag": script.etag,
               # A <script integrity=...> is loaded in CORS mode (crossorigin="anonymous"): any site may load it.
               "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    if script.etag in (request.header("If-None-Match") or ""):
        return Outcome(304, b"", "text/javascript; charset=utf-8", headers)
    return Outcome(200, script.body, "text/javascript; charset=utf-8", headers)
