"""`tagway projections`: how far each projection is, and rebuilding one from the first event."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from app.cli.common import load_or_exit

if TYPE_CHECKING:
    from app.projections import ProjectionRunner


def _runner(context: click.Context) -> ProjectionRunner:
    """The gateway's projections on its database (imports deferred: `tagway --help` stays quick)."""
    config = load_or_exit(context.find_root())
    from app.gateway import Gateway
    from app.registry import discover_adapters
    from app.storage.migrations import pending_migrations

    if pending_migrations(config.storage.url):
        raise click.ClickException("the database is not up to date; run `tagway db upgrade` first")
    return Gateway.build(config, discover_adapters()).projection_runner()


@click.group()
def projections() -> None:
    """Projections: tables kept from the events (people: identity, sessions, journeys)."""


@projections.command()
@click.pass_context
def status(context: click.Context) -> None:
    """Each projection's cursor and how far it is behind the stored events."""
    runner = _runner(context)
    if not runner.projections:
        click.echo("no projection is enabled")
    for lag in runner.lags():
        click.echo(f"{lag.name}: at event {lag.position}, {lag.events} events and {lag.seconds:.1f} s behind")


@projections.command()
@click.argument("name")
@click.pass_context
def rebuild(context: click.Context, name: str) -> None:
    """Empty the projection NAME's tables and apply every stored event again, from the first."""
    runner = _runner(context)
    if name not in runner.projections:
        known = ", ".join(sorted(runner.projections)) or "none is enabled"
        raise click.BadParameter(f"{name!r} is not a projection; the projections are: {known}", param_hint="NAME")
    runner.reset(name)
    target = runner.newest_seq()
    behind = next(lag.events for lag in runner.lags() if lag.name == name)
    # Events stored after this point are the worker's: it goes on from where the rebuild ends.
    with click.progressbar(length=behind, label=f"rebuilding {name}", show_pos=True, file=sys.stderr) as bar:
        def advance(count: int) -> None:
            bar.update(count)
        applied = runner.catch_up(name, target, progress=advance)
    click.echo(f"{name}: {applied} events applied, up to event {runner.position(name)}")
