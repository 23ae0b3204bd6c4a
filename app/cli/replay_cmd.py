"""`tagway replay`: run kept rejections through ingestion again."""

from __future__ import annotations

import sys

import click

from app.cli.common import config_path


@click.command()
@click.option("--rejection", "rejection_ids", multiple=True, type=int, help="A rejection id (repeatable).")
@click.option("--rejections", "all_rejections", is_flag=True, help="Every kept rejection matching the filters.")
@click.option("--source", default=None, help="Only this source (and, for --rejection, replay as this source).")
@click.option("--reason", default=None, help="Only this reason (schema, payload, signature, ...).")
@click.option("--since", default=None, help="Only rejections received at or after this RFC 3339 time.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.pass_context
def replay(context: click.Context, rejection_ids: tuple[int, ...], all_rejections: bool, source: str | None,
           reason: str | None, since: str | None, limit: int) -> None:
    """Replay kept rejections once the adapter or configuration is fixed."""
    if not rejection_ids and not all_rejections:
        raise click.UsageError("name rejections with --rejection ID, or use --rejections with filters")
    from adapters.times import format_time, parse_time
    from app import create_app
    from app.gateway import current_gateway
    from app.replay import replay_rejection
    from app.storage.records import RejectionQuery

    app = create_app(config_path(context.find_root()))
    with app.app_context():
        gateway = current_gateway()
        ids = list(rejection_ids)
        if all_rejections:
            since_text = format_time(parse_time(since)) if since else None
            rows = gateway.storage.list_rejections(RejectionQuery(source=source, reason=reason, since=since_text,
                                                                  limit=limit))
            ids.extend(row["id"] for row in rows if row["replayedAt"] is None)
        accepted = refused = 0
        with click.progressbar(ids, label="replaying", file=sys.stderr) as bar:
            for rejection_id in bar:
                outcome = replay_rejection(gateway, rejection_id, source if rejection_ids else None)
                if outcome.problem:
                    refused += 1
                else:
                    accepted += 1
        click.echo(f"replayed {len(ids)}: {accepted} accepted, {refused} refused again")
