"""`tagway db upgrade`: versioned migrations."""

from __future__ import annotations

import click

from app.cli.common import load_or_exit


@click.group()
def db() -> None:
    """Database commands."""


@db.command()
@click.pass_context
def upgrade(context: click.Context) -> None:
    """Apply pending migrations (safe to run from every instance at once)."""
    from app.storage.migrations import upgrade as apply_migrations

    config = load_or_exit(context.find_root())
    applied = apply_migrations(config.storage.url)
    click.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")
