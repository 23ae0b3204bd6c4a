"""`tagway replay`: run kept rejections through ingestion again, or queue deliveries again."""

from __future__ import annotations

import sys

import click

from app.cli.common import config_source

CHUNK = 500


@click.command()
@click.option("--rejection", "rejection_ids", multiple=True, type=int, help="A rejection id (repeatable).")
@click.option("--rejections", "all_rejections", is_flag=True, help="Every kept rejection matching the filters.")
@click.option("--deliveries", is_flag=True, help="Queue deliveries again (dead letters, unless --include-delivered).")
@click.option("--destination", default=None, help="Deliveries: only this destination.")
@click.option("--include-delivered", is_flag=True, help="Deliveries: also send again what was delivered.")
@click.option("--event", "event_ids", multiple=True, help="Deliveries: only this event id (repeatable).")
@click.option("--source", default=None, help="Rejections: only this source (and, for --rejection, replay as it).")
@click.option("--reason", default=None, help="Rejections: only this reason (schema, payload, signature, ...).")
@click.option("--since", default=None, help="Only what arrived (or was queued) at or after this RFC 3339 time.")
@click.option("--until", default=None, help="Only what arrived (or was queued) before this RFC 3339 time.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Rejections: at most this many.")
@click.pass_context
def replay(context: click.Context, rejection_ids: tuple[int, ...], all_rejections: bool, deliveries: bool,
           destination: str | None, include_delivered: bool, event_ids: tuple[str, ...], source: str | None,
           reason: str | None, since: str | None, until: str | None, limit: int) -> None:
    """Replay kept rejections once the cause is fixed, or queue deliveries again (e.g. dead letters)."""
    if not (rejection_ids or all_rejections or deliveries):
        raise click.UsageError("say what to replay: --rejection ID, --rejections, or --deliveries")
    from adapters.times import format_time, parse_time
    from app import create_app
    from app.gateway import current_gateway

    def moment(text: str | None) -> str | None:
        try:
            return format_time(parse_time(text)) if text else None
        except ValueError:
            raise click.BadParameter(f"{text!r} is not an RFC 3339 time such as 2026-11-24T00:00:00Z") from None

    app = create_app(config_source(context.find_root()))
    with app.app_context():
        gateway = current_gateway()
        if deliveries:
            known = {d.id for d in gateway.destinations} | {"@enrich"}
            if destination is not None and destination not in known:
                raise click.BadParameter(f"{destination!r}; configured: {', '.join(sorted(known))}",
                                         param_hint="--destination")
            ids = gateway.storage.replayable_ids(destination, not include_delivered, moment(since), moment(until),
                                                 event_ids)
            requeued = 0
            with click.progressbar(range(0, len(ids), CHUNK), label="queueing", file=sys.stderr) as bar:
                for start in bar:
                    requeued += gateway.storage.requeue(format_time(gateway.clock()), dead_only=not include_delivered,
                                                        outbox_ids=ids[start:start + CHUNK])
            click.echo(f"queued {requeued} deliveries again; the worker sends them now")
            return
        _replay_rejections(gateway, rejection_ids, all_rejections, source, reason, moment(since), moment(until), limit)


def _replay_rejections(gateway: object, rejection_ids: tuple[int, ...], all_rejections: bool, source: str | None,
                       reason: str | None, since: str | None, until: str | None, limit: int) -> None:
    from app.gateway import Gateway
    from app.ingest.replay import replay_rejection
    from app.storage.records import RejectionQuery

    assert isinstance(gateway, Gateway)
    ids = list(rejection_ids)
    if all_rejections:
        rows = gateway.storage.list_rejections(RejectionQuery(source=source, reason=reason, since=since, until=until,
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
