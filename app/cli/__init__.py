"""The `tagway` command line."""

from __future__ import annotations

import click

from app.cli import (
    adapters_cmd,
    check_url_cmd,
    db_cmd,
    init_cmd,
    projections_cmd,
    purge_cmd,
    replay_cmd,
    serve_cmd,
    sources_cmd,
    worker_cmd,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--config", "config_path", envvar="TAGWAY_CONFIG", default="tagway.toml", show_default=True,
              type=click.Path(dir_okay=False), help="The configuration file (or $TAGWAY_CONFIG).")
@click.pass_context
def main(context: click.Context, config_path: str) -> None:
    """tagway: customer events from browsers and shops, into one canonical event."""
    context.obj = {"config_path": config_path}


for command in (init_cmd.init, serve_cmd.serve, adapters_cmd.adapters, db_cmd.db, check_url_cmd.check_url,
                replay_cmd.replay, sources_cmd.sources, worker_cmd.worker, purge_cmd.purge,
                projections_cmd.projections):
    main.add_command(command)
