"""`tagway worker`: the delivery loop as its own process (the Procfile's worker)."""

from __future__ import annotations

import os
import signal
import threading

import click

from app.cli.common import load_or_exit

PARENT_ENV = "TAGWAY_PARENT_PID"


@click.command()
@click.option("--once", is_flag=True, help="Run one round over every destination, then exit.")
@click.pass_context
def worker(context: click.Context, once: bool) -> None:
    """Deliver stored events to the configured destinations (retries, dead letters, enrichment)."""
    config = load_or_exit(context.find_root())
    from app.delivery.worker import DeliveryWorker
    from app.gateway import Gateway
    from app.logs import configure_logging
    from app.registry import discover_adapters
    from app.storage.migrations import pending_migrations

    if pending_migrations(config.storage.url):
        raise click.ClickException("the database is not up to date; run `tagway db upgrade` first")
    scrubber = configure_logging(config.secrets(), config.log_level)
    gateway = Gateway.build(config, discover_adapters(), on_secrets=scrubber.add)
    delivery = DeliveryWorker(gateway.worker_parts())
    if once:
        click.echo(f"handled {delivery.run_once()} outbox rows")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    parent = int(os.environ[PARENT_ENV]) if os.environ.get(PARENT_ENV) else None
    click.echo(f"tagway worker delivering to {len(gateway.destinations)} destinations", err=True)
    delivery.run_forever(stop, parent_pid=parent)
