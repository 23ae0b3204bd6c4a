"""`tagway check-url`: the canonical URL a page would be stored under, and why."""

from __future__ import annotations

import click

from app.cli.common import config_path, load_or_exit
from app.event.canonical_url import Canonicalizer, CanonicalUrlRules, campaign_from_url


@click.command("check-url")
@click.argument("url")
@click.pass_context
def check_url(context: click.Context, url: str) -> None:
    """Print the canonical URL of URL and the rules that changed it."""
    rules = load_or_exit(context.find_root()).canonical_url if config_path(context.find_root()).exists() \
        else CanonicalUrlRules()
    try:
        result = Canonicalizer(rules).canonicalize(url)
    except ValueError as error:
        raise click.ClickException(f"{url!r} is not {error}") from None
    click.echo(f"canonical: {result.url}")
    if result.rules:
        click.echo("rules applied:")
        for rule in result.rules:
            detail = f" ({', '.join(result.dropped_params)})" if rule == "drop-tracking-params" else ""
            click.echo(f"  - {rule}{detail}")
    else:
        click.echo("rules applied: none (the URL is already canonical)")
    campaign = campaign_from_url(url)
    if campaign:
        click.echo("campaign: " + ", ".join(f"{k}={v}" for k, v in campaign.items()))
