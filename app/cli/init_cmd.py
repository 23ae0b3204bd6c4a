"""`tagway init`: a starter configuration with fresh secrets."""

from __future__ import annotations

import os
import shlex
from typing import cast

import click
import tomlkit
from tomlkit.items import AoT, Table

from app.cli.common import config_path
from app.sources.keys import fresh_secret

# A TOML document, so that its values are set with a TOML library (they are the user's: a URL may hold anything).
TEMPLATE = """\
# tagway configuration, written by `tagway init`.
# Keep this file private: it holds secrets. Every key can come from the environment instead, which
# wins over this file: TAGWAY_<SECTION>__<KEY> (TAGWAY_STORAGE__URL, TAGWAY_ADMIN__TOKEN, ...), the
# [[sources]] whole as TAGWAY_SOURCES. A value here may also name a variable: token = "${ADMIN_TOKEN}".

[server]
# The address browsers and shops use to reach this gateway (printed in webhook URLs).
public_url = "http://127.0.0.1:8000"
host = "127.0.0.1"
port = 8000
workers = 2

[admin]
# For the admin API (and the console): Authorization: Bearer <token>.
token = ""

[storage]
# SQLite, next to this file. For several machines use postgresql://... (see the README).
url = "sqlite:///tagway.db"
# Refused requests are always kept (to show and replay them). true also keeps the raw request of
# accepted ones, beside their events: handy while you set up a source, at the cost of disk.
keep_accepted_inputs = false

[logging]
# DEBUG, INFO, WARNING, ERROR or CRITICAL (DEBUG adds a line per request).
level = "INFO"

[privacy]
# Zero the last part of IP addresses before they are stored.
anonymize_ip = false

[limits]
# The defaults: 32 KB per event, 512 KB per request, 500 events per batch, JSON depth 32.
# rate_limit = "100/second"   # per source, unless the source sets its own

[retention]
# Days each kind of row is kept; the delivery worker deletes older ones every few minutes
# (0 keeps forever). Pending deliveries and their events are never deleted. The defaults:
# events_days = 90
# rejections_days = 30
# inputs_days = 30        # kept raw requests
# delivered_days = 7      # delivered outbox rows
# dead_days = 30          # dead letters

[canonical_url]
# Tracking parameters (utm_*, gclid, fbclid, ...) are dropped from page.canonicalUrl by default.
# extra_drop_params = ["ref"]
# strip_trailing_slash = false

[[sources]]
# The browser/API source: the GTM template and POST /v1/events use its write key.
id = "website"
adapter = "canonical"
title = "Website and server API"
write_key = ""
"""


def starter_configuration(public_url: str, host: str, port: int, admin_token: str, write_key: str) -> str:
    """The starter tagway.toml with these values."""
    document = tomlkit.parse(TEMPLATE)
    server = cast(Table, document["server"])
    server["public_url"], server["host"], server["port"] = public_url, host, port
    cast(Table, document["admin"])["token"] = admin_token
    cast(AoT, document["sources"])[0]["write_key"] = write_key
    return tomlkit.dumps(document)


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing configuration.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--public-url", default=None, help="How others reach the gateway [default: http://HOST:PORT].")
@click.pass_context
def init(context: click.Context, force: bool, host: str, port: int, public_url: str | None) -> None:
    """Write a starter tagway.toml with one browser/API source and fresh secrets."""
    path = config_path(context)
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to replace it (its secrets will change)")
    public_url = public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    write_key, admin_token = fresh_secret("wk"), fresh_secret("adm")
    text = starter_configuration(public_url, host, port, admin_token, write_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    event = ('{"name": "PageView", "page": {"url": "https://example.com/"}, '
             '"user": {"anonymousId": "first-visitor"}}')
    click.echo(f"Wrote {path} (keep it private: it holds the secrets below).\n")
    click.echo(f"  write key (source 'website'): {write_key}")
    click.echo(f"  admin token:                  {admin_token}\n")
    click.echo("Start the gateway:\n  tagway serve\n")
    click.echo("Send a first event:")
    click.echo(f"  curl -X POST {public_url}/v1/events -H {shlex.quote('Authorization: Bearer ' + write_key)} "
               f"-H 'Content-Type: application/json' -d {shlex.quote(event)}\n")
    click.echo("See it stored:")
    click.echo(f"  curl {public_url}/v1/events -H {shlex.quote('Authorization: Bearer ' + admin_token)}")
