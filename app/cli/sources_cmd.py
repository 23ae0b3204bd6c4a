"""`tagway sources`: list, add, change and delete sources while the gateway runs (no restart needed).

Sources added here live in the database, beside the ones in tagway.toml; every worker sees a change
within about a second. `add --print-only` prints a [[sources]] entry for those who keep sources in the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, cast

import click
import tomlkit
from tomlkit.items import AoT, Table

from adapters.base import Adapter
from app.cli.common import load_or_exit
from app.config.model import GatewayConfig, SourceConfig
from app.config.schema import SOURCE_ID
from app.registry import discover_adapters
from app.sources.catalog import SourceCatalog
from app.sources.endpoints import addresses, install_snippet
from app.sources.keys import fresh_secret, mask
from app.sources.store import SourceStore
from app.sources.validation import SourceInvalid


class LiveSources:
    """The configuration, the adapters, and the sources as the running gateway sees them (file and database)."""

    def __init__(self, context: click.Context) -> None:
        from app.storage import open_storage
        from app.storage.migrations import upgrade

        self.config: GatewayConfig = load_or_exit(context.find_root())
        self.adapters = discover_adapters()
        upgrade(self.config.storage.url)  # as `tagway serve` would: the sources table may be new
        self.store = SourceStore(open_storage(self.config.storage))
        self.catalog = SourceCatalog(self.config.sources, self.store, self.adapters)
        self.catalog.refresh(force=True)

    def editable(self, source_id: str) -> SourceConfig:
        """A source added in the database (the file's are edited in the file)."""
        source = self.catalog.get(source_id)
        if source is None:
            raise click.ClickException(f"no source {source_id!r}; `tagway sources list` shows them")
        if self.catalog.from_file(source_id):
            raise click.ClickException(f"source {source_id!r} is defined in tagway.toml (or TAGWAY_SOURCES): "
                                       "change it there and restart the gateway")
        return source

    def save(self, table: dict[str, Any]) -> SourceConfig:
        """Validate the table as the gateway will, then store it."""
        try:
            return self.store.save(table, self.adapters)
        except SourceInvalid as error:
            raise click.ClickException("\n".join(error.problems)) from None


@click.group()
def sources() -> None:
    """Sources (where events come from): list, add, set, delete; no restart needed."""


@sources.command("list")
@click.option("--reveal", is_flag=True, help="Show write keys in full (to paste them into the GTM tag).")
@click.pass_context
def list_sources(context: click.Context, reveal: bool) -> None:
    """Each source with its adapter, its state and what to paste where (secrets masked unless --reveal)."""
    live = LiveSources(context)
    for source in live.catalog.all().values():
        adapter = live.adapters[source.adapter]
        where = "tagway.toml" if live.catalog.from_file(source.id) else "database"
        click.echo(f"{source.id}  [{source.adapter}]  {source.state}  ({where})  {source.title}")
        for address in addresses(adapter, source, live.config.server.public_url):
            click.echo(f"    {address.label + ':':<16}{address.url}")
        if source.write_key:
            click.echo(f"    {'Write key:':<16}{source.write_key if reveal else mask(source.write_key)}")
        for name, why in source.missing:
            click.echo(f"    waits for {name}: {why}")


@sources.command("add")
@click.argument("adapter_name", metavar="PLATFORM")
@click.option("--id", "source_id", default=None, help="Source id, part of the webhook URL [default: PLATFORM].")
@click.option("--title", default=None, help="A human name for the source.")
@click.option("--setting", "settings", multiple=True, metavar="NAME=VALUE", help="A setting of the platform.")
@click.option("--secret", "secrets", multiple=True, metavar="NAME", help="A secret setting, asked for (not echoed).")
@click.option("--print-only", is_flag=True, help="Print a [[sources]] entry for tagway.toml instead of adding it.")
@click.pass_context
def add_source(context: click.Context, adapter_name: str, source_id: str | None, title: str | None,
               settings: tuple[str, ...], secrets: tuple[str, ...], print_only: bool) -> None:
    """Add a source for PLATFORM and print what to paste where and the setup steps in the platform."""
    registry = discover_adapters()
    adapter = registry.get(adapter_name) or registry.get(adapter_name.replace("-", "_"))
    if adapter is None:
        raise click.ClickException(f"unknown platform {adapter_name!r}; available: "
                                   f"{', '.join(sorted(name.replace('_', '-') for name in registry))}")
    write_key = fresh_secret("wk") if adapter.accepts_write_key else None
    if print_only:
        config = load_or_exit(context.find_root())
        source_id = _checked_id(source_id or _free_id(adapter.name.replace("_", "-"), set(config.sources)))
        if secrets:
            raise click.ClickException("--secret with --print-only: a file's secrets come from environment variables, "
                                       "which the printed entry names; leave --secret out")
        given = _given_settings(settings, ())
        known = set(adapter.settings_schema().fields) if adapter.settings_schema is not None else set()
        unknown = sorted(set(given) - known)
        if unknown:
            raise click.ClickException(f"--setting {unknown[0]}: {adapter.name} has no such setting; it has "
                                       f"{', '.join(sorted(known)) or 'none'}")
        entry, variables = source_table(adapter, source_id, title or adapter.title, write_key, given)
        click.echo(entry_text(entry))
        _print_setup(adapter, SourceConfig(id=source_id, adapter=adapter.name, write_key=write_key, settings=given),
                     config)
        if variables:
            click.echo("\nThen give the gateway its settings (or write them into tagway.toml):")
            for variable, description in variables.items():
                click.echo(f"  export {variable}=...   # {description}")
        return
    live = LiveSources(context)
    source_id = _checked_id(source_id or _free_id(adapter.name.replace("_", "-"), set(live.catalog.all())))
    if live.catalog.get(source_id) is not None:
        raise click.ClickException(f"a source with id {source_id!r} exists already; choose another --id")
    table: dict[str, Any] = {"id": source_id, "adapter": adapter.name, "title": title or adapter.title}
    if write_key:
        table["write_key"] = write_key
    table.update(_given_settings(settings, secrets))
    source = live.save(table)
    click.echo(f"Added source {source_id!r} ({adapter.title}); the running gateway takes it within seconds.")
    _print_setup(adapter, source, live.config)
    _print_pending(source)


@sources.command("set")
@click.argument("source_id", metavar="ID")
@click.option("--title", default=None, help="A new human name.")
@click.option("--enable/--disable", "enabled", default=None, help="Take input, or refuse it (kept, as unknown).")
@click.option("--setting", "settings", multiple=True, metavar="NAME=VALUE", help="Set a setting of the platform.")
@click.option("--secret", "secrets", multiple=True, metavar="NAME", help="Set a secret setting, asked for.")
@click.option("--unset", "unset", multiple=True, metavar="NAME", help="Remove a setting.")
@click.option("--new-write-key", is_flag=True, help="Replace the write key (the old one stops working).")
@click.pass_context
def set_source(context: click.Context, source_id: str, title: str | None, enabled: bool | None,
               settings: tuple[str, ...], secrets: tuple[str, ...], unset: tuple[str, ...],
               new_write_key: bool) -> None:
    """Change a source added in the database; every worker uses the change within seconds."""
    live = LiveSources(context)
    live.editable(source_id)
    table = next(t for t in live.store.tables() if t["id"] == source_id)
    if title is not None:
        table["title"] = title
    if enabled is not None:
        table["enabled"] = enabled
    for name in unset:
        table.pop(name, None)
    table.update(_given_settings(settings, secrets))
    if new_write_key:
        table["write_key"] = fresh_secret("wk")
        click.echo(f"New write key: {table['write_key']}")
    source = live.save(table)
    click.echo(f"Source {source_id!r} is {source.state}.")
    _print_pending(source)


@sources.command("delete")
@click.argument("source_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete_source(context: click.Context, source_id: str, yes: bool) -> None:
    """Delete a source added in the database: its input is refused from now on; stored events stay."""
    live = LiveSources(context)
    live.editable(source_id)
    if not yes:
        click.confirm(f"Delete source {source_id!r}? Its webhooks and write key stop working", abort=True)
    live.store.delete(source_id)
    click.echo(f"Deleted source {source_id!r}; its stored events and rejections stay.")


def _checked_id(source_id: str) -> str:
    if not SOURCE_ID.match(source_id):
        raise click.ClickException(f"--id {source_id!r}: must be 1-63 lower-case letters, digits, '-' or '_' "
                                   "(it is part of the webhook URL)")
    return source_id


def _given_settings(settings: tuple[str, ...], secrets: tuple[str, ...]) -> dict[str, Any]:
    """NAME=VALUE pairs (a JSON array or object as such), then each secret asked for without echo."""
    given: dict[str, Any] = {}
    for pair in settings:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise click.ClickException(f"--setting {pair!r}: write NAME=VALUE")
        given[name] = json.loads(value) if value[:1] in ("[", "{") else value
    for name in secrets:
        given[name] = click.prompt(f"{name}", hide_input=True)
    return given


def _print_setup(adapter: Adapter, source: SourceConfig, config: GatewayConfig) -> None:
    """What to paste where, the setup steps and the code to paste, as the console shows them for `source`."""
    public_url = config.server.public_url
    click.echo("")
    for address in addresses(adapter, source, public_url):
        click.echo(f"{address.label + ':':<16}{address.url}")
    if source.write_key:
        click.echo(f"{'Write key:':<16}{source.write_key}")
    click.echo("")
    webhook_url = f"{public_url.rstrip('/')}/v1/webhooks/{source.id}"
    for number, step in enumerate(adapter.setup_steps(source.as_adapter_source(), webhook_url), start=1):
        click.echo(f"{number}. {step}")
    snippet = install_snippet(adapter, source, config, source.write_key)
    if snippet:
        click.echo("\nThe code to paste:\n")
        click.echo(snippet)


def _print_pending(source: SourceConfig) -> None:
    if not source.pending:
        return
    names = ", ".join(name for name, _ in source.missing)
    click.echo(f"\nPending: it waits for {names}. Until then its input is answered 503 (platforms retry) and kept.\n"
               f"Set it when you have it: tagway sources set {source.id} --secret NAME (or --setting NAME=VALUE), "
               "or in the console's Sources page.")


def source_table(adapter: Adapter, source_id: str, title: str, write_key: str | None = None,
                 given: Mapping[str, Any] | None = None) -> tuple[Table, dict[str, str]]:
    """The [[sources]] table: the `given` settings as they are, secrets and other required ones from variables."""
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
            if given and name in given:
                _add_commented(table, name, given[name], description)
            elif field.required:
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


def _add_commented(table: Table, key: str, value: Any, comment: str) -> None:
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


def env_name(source_id: str, setting: str) -> str:
    """TAGWAY_<SOURCE>_<SETTING>, upper-case, other characters as one underscore.

    Never two in a row: TAGWAY_<SECTION>__<KEY> names a configuration key.
    """
    return re.sub(r"[^A-Z0-9]+", "_", f"TAGWAY_{source_id}_{setting}".upper())


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
