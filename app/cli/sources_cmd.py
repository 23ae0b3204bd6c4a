"""`tagway sources`: list the configured sources, add one for a platform with its setup steps."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, cast

import click
import tomlkit
from tomlkit.items import AoT, Table

from adapters.base import Adapter, Source
from app.cli.common import config_path, load_or_exit
from app.cli.init_cmd import fresh_secret
from app.config.environment import array_variable
from app.config.schema import SOURCE_ID
from app.registry import discover_adapters


@click.group()
def sources() -> None:
    """Configured sources (where events come from)."""


@sources.command("list")
@click.option("--reveal", is_flag=True, help="Show write keys in full (to paste them into the GTM tag).")
@click.pass_context
def list_sources(context: click.Context, reveal: bool) -> None:
    """Each source with its adapter and the URL to send to (secrets masked unless --reveal)."""
    config = load_or_exit(context.find_root())
    public = config.server.public_url.rstrip("/")
    for source in config.sources.values():
        state = "" if source.enabled else "  (disabled)"
        click.echo(f"{source.id}  [{source.adapter}]{state}  {source.title}")
        click.echo(f"    webhook URL: {public}/v1/webhooks/{source.id}")
        if source.write_key:
            shown = source.write_key if reveal else mask(source.write_key)
            click.echo(f"    write key:   {shown}  (POST {public}/v1/events)")


@sources.command("add")
@click.argument("adapter_name", metavar="PLATFORM")
@click.option("--id", "source_id", default=None, help="Source id, part of the webhook URL [default: PLATFORM].")
@click.option("--title", default=None, help="A human name for the source.")
@click.option("--print-only", is_flag=True, help="Print the [[sources]] entry instead of adding it.")
@click.pass_context
def add_source(context: click.Context, adapter_name: str, source_id: str | None, title: str | None,
               print_only: bool) -> None:
    """Add a source for PLATFORM to tagway.toml and print the webhook URL and the setup steps."""
    registry = discover_adapters()
    adapter = registry.get(adapter_name)
    if adapter is None:
        raise click.ClickException(f"unknown platform {adapter_name!r}; available: {', '.join(sorted(registry))}")
    root = context.find_root()
    path = config_path(root)
    if not path.exists():
        raise click.ClickException(f"{path} does not exist; run `tagway init` first")
    config = load_or_exit(root)
    source_id = source_id or _free_id(adapter.name, set(config.sources))
    if not SOURCE_ID.match(source_id):
        raise click.ClickException(f"--id {source_id!r}: must be 1-63 lower-case letters, digits, '-' or '_' "
                                   "(it is part of the webhook URL)")
    if source_id in config.sources:
        raise click.ClickException(f"a source with id {source_id!r} exists already; choose another --id")
    write_key = fresh_secret("wk") if adapter.accepts_write_key else None
    table, variables = source_table(adapter, source_id, title or adapter.title, write_key)
    if print_only:
        click.echo(entry_text(table))
    else:
        append_source(path, table)
        click.echo(f"Added source {source_id!r} ({adapter.title}) to {path}.")
        if os.environ.get(array_variable("sources")):
            click.echo(f"Note: {array_variable('sources')} is set and replaces the file's [[sources]]: "
                       "add this source to it too.")
    public = config.server.public_url.rstrip("/")
    webhook_url = f"{public}/v1/webhooks/{source_id}"
    click.echo("")
    if adapter.receives_webhooks:
        click.echo(f"Webhook URL to paste: {webhook_url}")
    if write_key:
        click.echo(f"Gateway URL: {public}\nWrite key:   {write_key}")
    click.echo("")
    for number, step in enumerate(adapter.setup_steps(Source(source_id, adapter.name), webhook_url), start=1):
        click.echo(f"{number}. {step}")
    snippet = adapter.install_snippet(Source(source_id, adapter.name), public, write_key)
    if snippet:
        click.echo("\nThe code to paste:\n")
        click.echo(snippet)
    if variables:
        click.echo("\nThen give the gateway its settings (or write them into tagway.toml):")
        for variable, description in variables.items():
            click.echo(f"  export {variable}=...   # {description}")


def source_table(adapter: Adapter, source_id: str, title: str,
                 write_key: str | None = None) -> tuple[Table, dict[str, str]]:
    """The [[sources]] table, secrets and required settings read from environment variables."""
    table = tomlkit.table()
    table.add("id", source_id)
    table.add("adapter", adapter.name)
    table.add("title", title)
    if write_key:
        _add_commented(table, "write_key", write_key, "what browsers (the GTM tag) and servers send")
    variables: dict[str, str] = {}
    if adapter.settings_schema is not None:
        for name, field in adapter.settings_schema().fields.items():
            description = " ".join(str(field.metadata.get("description", name)).split())  # one comment line
            if field.required:
                variable = env_name(source_id, name)
                variables[variable] = description
                _add_commented(table, name, f"${{{variable}}}", description)
            elif name in adapter.secret_settings:  # optional: written commented out, ready to use
                reference = tomlkit.item(f"${{{env_name(source_id, name)}}}").as_string()
                table.add(tomlkit.comment(f"{name} = {reference}  # {description}"))
            else:
                example = field.metadata.get("example")
                shown = _toml_value(example) if example is not None else "..."
                table.add(tomlkit.comment(f"{name} = {shown}  # {description}"))
    return table, variables


def _add_commented(table: Table, key: str, value: str, comment: str) -> None:
    item = tomlkit.item(value)
    item.comment(comment)
    item.trivia.comment_ws = "  "  # as in the lines written commented out
    table.add(key, item)


def entry_text(table: Table) -> str:
    """The table as a [[sources]] entry of its own."""
    document = tomlkit.document()
    document.append("sources", tomlkit.aot())
    cast(AoT, document["sources"]).append(table)
    return tomlkit.dumps(document)


def append_source(path: Path, table: Table) -> None:
    """Add the table to the file's [[sources]], keeping everything else in it (comments included) as it was."""
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    existing = document.get("sources")
    if existing is None:
        document.append("sources", tomlkit.aot())
        existing = document["sources"]
    elif not isinstance(existing, AoT):
        raise click.ClickException(f"{path} writes sources as an inline array, not as [[sources]] tables; "
                                   f"add this entry to it yourself:\n{entry_text(table)}")
    elif existing.body:  # set apart from the entry before it, and from whatever follows
        if not existing.body[-1].as_string().endswith("\n\n"):
            table.trivia.indent = "\n"
        table.add(tomlkit.nl())
    cast(AoT, existing).append(table)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")


def env_name(source_id: str, setting: str) -> str:
    """TAGWAY_<SOURCE>_<SETTING>, upper-case, other characters as one underscore.

    Never two in a row: TAGWAY_<SECTION>__<KEY> names a configuration key.
    """
    return re.sub(r"[^A-Z0-9]+", "_", f"TAGWAY_{source_id}_{setting}".upper())


def mask(secret: str) -> str:
    """The first characters of a secret, the rest hidden."""
    return secret[:6] + "…" if len(secret) > 8 else "…"


def _free_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _toml_value(value: Any) -> str:
    """`value` written as TOML, tables inline (it is shown on one commented line)."""
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table.as_string()
    return tomlkit.item(value).as_string()
