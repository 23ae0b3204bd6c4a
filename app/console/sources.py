"""Sources: what to paste where, the setup steps, recent activity, and secrets revealed only on request."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from flask import Blueprint, Response, render_template

from adapters.base import Problem
from app.cli.sources_cmd import mask
from app.config.model import SourceConfig
from app.console.guard import reveals_secret
from app.console.present import Scrubber
from app.console.queries import SourceActivity, source_activity
from app.gateway import Gateway, current_gateway
from app.problems import ProblemError

blueprint = Blueprint("sources", __name__)
WRITE_KEY = "write_key"


@dataclass(frozen=True)
class SecretShown:
    """A secret as the page shows it: its name, a masked hint, and nothing more until revealed."""

    name: str
    label: str
    masked: str


@dataclass(frozen=True)
class SourceView:
    """One source as the Sources page shows it."""

    config: SourceConfig
    adapter_title: str
    browser: bool
    """Whether the source has no webhook URL: browsers send to the gateway with its write key."""
    webhook_url: str
    gateway_url: str
    steps: list[str]
    secrets: list[SecretShown]
    activity: SourceActivity


def _secrets(source: SourceConfig) -> list[SecretShown]:
    shown = []
    if source.write_key:
        shown.append(SecretShown(WRITE_KEY, "Write key", mask(source.write_key)))
    for name in source.secret_settings:
        value = source.settings.get(name)
        if value:
            shown.append(SecretShown(name, name.replace("_", " ").capitalize(), mask(str(value))))
    return shown


def _secret_value(source: SourceConfig, name: str) -> str | None:
    if name == WRITE_KEY:
        return source.write_key
    if name in source.secret_settings and source.settings.get(name):
        return str(source.settings[name])
    return None


def source_views(gateway: Gateway) -> list[SourceView]:
    """Every configured source with its adapter, URLs, setup steps and activity."""
    config = gateway.config
    activity = source_activity(gateway.storage, gateway.clock(), list(gateway.sources.all()))
    scrub = Scrubber(config)
    views = []
    for source in gateway.sources.all().values():
        adapter = gateway.adapters[source.adapter]
        webhook_url = gateway.webhook_url(source.id)
        steps = [scrub.text(step) for step in adapter.setup_steps(source.as_adapter_source(), webhook_url)]
        views.append(SourceView(source, adapter.title or adapter.name, not adapter.receives_webhooks, webhook_url,
                                config.server.public_url.rstrip("/"), steps, _secrets(source),
                                activity.get(source.id, SourceActivity())))
    return views


@blueprint.get("/sources")
def page() -> str:
    """Each configured source, its URL to paste and its setup steps."""
    return render_template("console/sources.html", sources=source_views(current_gateway()))


@blueprint.post("/api/sources/<source_id>/secrets/<name>")
@reveals_secret
def reveal(source_id: str, name: str) -> Response:
    """One secret of a source, on an explicit click (POST with the CSRF token; never cached)."""
    source = current_gateway().sources.get(source_id)
    value = None if source is None else _secret_value(source, name)
    if value is None:
        raise ProblemError("not-found", [Problem("secret", f"{source_id}/{name}", "a secret of a configured source")])
    return Response(orjson.dumps({"source": source_id, "name": name, "value": value}), mimetype="application/json",
                    headers={"Cache-Control": "no-store"})
