"""Whether the configured public URL is one that visitors' browsers and builder platforms can reach."""

from __future__ import annotations

import ipaddress

from yarl import URL

FIX = ("set [server] public_url (or TAGWAY_SERVER__PUBLIC_URL) to the https address people reach this gateway at, "
       "served by a reverse proxy with automatic HTTPS in front of it, and restart")


def public_url_problem(public_url: str) -> str | None:
    """What is wrong with `public_url` for a real deployment (with how to fix it), or None when nothing is."""
    url = URL(public_url)
    host = (url.host or "").strip("[]").lower()
    if _loopback(host):
        return (f"the public URL {public_url} is this machine's own address: visitors' browsers, Google Tag Manager "
                f"and builder platforms cannot reach it. To fix: {FIX}.")
    if url.scheme != "https":
        return (f"the public URL {public_url} is plain http: Shopify and other builders send webhooks only to https, "
                f"and browsers block http requests from https pages. To fix: {FIX}.")
    return None


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
