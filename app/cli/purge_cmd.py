"""`tagway purge`: delete now what is older than [retention] allows (the worker does it every few minutes)."""

from __future__ import annotations

import click

from app.cli.common import load_or_exit
from app.config.model import RetentionSettings

LABELS = {"events": "events", "rejections": "rejections", "inputs": "kept raw requests",
          "delivered": "delivered outbox rows", "dead": "dead letters",
          "sessions": "sessions with no event left", "people": "people with no event left"}


@click.command()
@click.option("--dry-run", is_flag=True, help="Print how many rows of each kind would go; delete nothing.")
@click.pass_context
def purge(context: click.Context, dry_run: bool) -> None:
    """Delete events, rejections, kept requests and finished deliveries older than their retention."""
    config = load_or_exit(context.find_root())
    from app.gateway import utc_now
    from app.storage import open_storage
    from app.storage.migrations import pending_migrations
    from app.storage.retention import KINDS, Purger

    if pending_migrations(config.storage.url):
        raise click.ClickException("the database is not up to date; run `tagway db upgrade` first")
    storage = open_storage(config.storage)
    purger = Purger(storage, config.retention)
    now = utc_now()
    if dry_run:
        counts = purger.count(now)
        for kind in KINDS:
            click.echo(f"{LABELS[kind]}: {counts[kind]} would be deleted{_kept_forever(config.retention, kind)}")
        return
    done = purger.purge(now)
    for kind in KINDS:
        click.echo(f"{LABELS[kind]}: {done[kind].deleted} deleted{_kept_forever(config.retention, kind)}")
    if not storage.truncate_log():
        click.echo("the database's write-ahead log is in use; the worker's next purge shrinks it", err=True)


def _kept_forever(retention: RetentionSettings, kind: str) -> str:
    from app.storage.retention import retention_days

    return " (kept forever: retention 0 days)" if retention_days(retention, kind) == 0 else ""
