"""`tagway adapters`: what the registry holds, and `tagway adapters new` to start a built-in adapter."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.scaffold import ScaffoldError, check_name, check_title, scaffold_adapter
from app.registry import discover_adapters


@click.group(invoke_without_command=True)
@click.pass_context
def adapters(context: click.Context) -> None:
    """The registered adapters (listed without a subcommand), and scaffolding a new one."""
    if context.invoked_subcommand is None:
        context.invoke(list_adapters)


@adapters.command("list")
def list_adapters() -> None:
    """List the registered adapters (built-in and from installed packages)."""
    registry = discover_adapters()
    width = max((len(name) for name in registry), default=4)
    for name, adapter in registry.items():
        module = type(adapter).__module__
        origin = "built-in" if module.startswith("adapters.") else f"plugin ({module})"
        settings = ", ".join(adapter.settings_schema().fields) if adapter.settings_schema else "-"
        click.echo(f"{name:<{width}}  {adapter.title}  [{origin}; settings: {settings}]")


@adapters.command("new")
@click.argument("name")
@click.option("--title", default=None, help="The platform's name as users know it [default: from NAME].")
@click.option("--path", "root", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="The repository's root, under which adapters/NAME/ and tests/adapters/NAME/ are written.")
def new_adapter(name: str, title: str | None, root: Path) -> None:
    """Scaffold the built-in adapter NAME: its module, README, first fixture case and test signer."""
    title = title or name.replace("_", " ").title()
    try:
        check_name(name, root, discover_adapters())
        check_title(title)
        written = scaffold_adapter(root, name, title)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"\nNext: fill in the TODOs with {title}'s documented facts, replace the first case's placeholder "
               "body with a real request and add the other cases (CONTRIBUTING.md, \"Adding an adapter\"), "
               f"then run: .venv/bin/pytest tests/adapters -k {name}")
