"""`tagway sources`: list the configured sources, add one for a platform with its setup steps."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from adapters.base import Adapter, Source
from app.cli.common import config_path, load_or_exit
from app.cli.init_cmd import fresh_secret
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
    if source_id in config.sources:
        raise click.ClickException(f"a source with id {source_id!r} exists already; choose another --id")
    write_key = fresh_secret("wk") if adapter.accepts_write_key else None
    entry, variables = source_entry(adapter, source_id, title or adapter.title, write_key)
    if print_only:
        click.echo(entry)
    else:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n" + entry)
        click.echo(f"Added source {source_id!r} ({adapter.title}) to {path}.")
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
    if variables:
        click.echo("\nThen give the gateway its settings (or write them into tagway.toml):")
        for variable, description in variables.items():
            click.echo(f"  export {variable}=...   # {description}")


def source_entry(adapter: Adapter, source_id: str, title: str,
                 write_key: str | None = None) -> tuple[str, dict[str, str]]:
    """The TOML [[sources]] entry, secrets and required settings read from environment variables."""
    lines = ["[[sources]]", f'id = "{source_id}"', f'adapter = "{adapter.name}"', f'title = "{title}"']
    if write_key:
        lines.append(f'write_key = "{write_key}"  # what browsers (the GTM tag) and servers send')
    variables: dict[str, str] = {}
    if adapter.settings_schema is not None:
        for name, field in adapter.settings_schema().fields.items():
            description = str(field.metadata.get("description", name))
            if field.required:
                variable = env_name(source_id, name)
                variables[variable] = description
                lines.append(f'{name} = "${{{variable}}}"  # {description}')
            elif name in adapter.secret_settings:  # optional: written commented out, ready to use
                lines.append(f'# {name} = "${{{env_name(source_id, name)}}}"  # {description}')
            else:
                example = field.metadata.get("example")
                shown = _toml_value(example) if example is not None else "..."
                lines.append(f"# {name} = {shown}  # {description}")
    return "\n".join(lines) + "\n", variables


def env_name(source_id: str, setting: str) -> str:
    """TAGWAY_<SOURCE>_<SETTING>, upper-case, other characters as underscores."""
    return re.sub(r"[^A-Z0-9]", "_", f"TAGWAY_{source_id}_{setting}".upper())


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
    """`value` written as TOML (strings, booleans, numbers, arrays and inline tables)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)
