"""`tagway adapters`: what the registry holds."""

from __future__ import annotations

import click

from app.registry import discover_adapters


@click.command()
def adapters() -> None:
    """List the registered adapters (built-in and from installed packages)."""
    registry = discover_adapters()
    width = max((len(name) for name in registry), default=4)
    for name, adapter in registry.items():
        module = type(adapter).__module__
        origin = "built-in" if module.startswith("adapters.") else f"plugin ({module})"
        settings = ", ".join(adapter.settings_schema().fields) if adapter.settings_schema else "-"
        click.echo(f"{name:<{width}}  {adapter.title}  [{origin}; settings: {settings}]")
