"""Sources: what to paste where, the setup steps, recent activity, and secrets revealed only on request."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from flask import Blueprint, Response, render_template, request

from adapters.base import Problem
from app.config.model import SourceConfig
from app.console.guard import reveals_secret
from app.console.present import Scrubber
from app.console.queries import SourceActivity, source_activity
from app.console.template_download import offers_template
from app.gateway import Gateway, current_gateway
from app.problems import ProblemError
from app.sources.endpoints import Address, addresses, install_snippet
from app.sources.keys import mask

blueprint = Blueprint("sources", __name__)
WRITE_KEY = "write_key"
SNIPPET = "snippet"


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
    state: str
    """`active`, `pending` or `disabled`."""
    from_file: bool
    """Defined in tagway.toml (read-only here) rather than added in the console or the CLI."""
    addresses: list[Address]
    steps: list[str]
    secrets: list[SecretShown]
    snippet: str | None
    """The code to paste, its write key masked (Reveal fetches it whole)."""
    offers_template: bool
    """Whether the console offers the GTM web tag template pre-filled for it."""
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
    if name == SNIPPET:
        gateway = current_gateway()
        return install_snippet(gateway.adapters[source.adapter], source, gateway.config, source.write_key)
    if name in source.secret_settings and source.settings.get(name):
        return str(source.settings[name])
    return None


def source_views(gateway: Gateway) -> list[SourceView]:
    """Every source (the file's, then those added live) with what to paste, setup steps and activity."""
    public_url = gateway.config.server.public_url.rstrip("/")
    activity = source_activity(gateway.storage, gateway.clock(), list(gateway.sources.all()))
    scrub = Scrubber(gateway.secrets())
    views = []
    for source in gateway.sources.all().values():
        adapter = gateway.adapters[source.adapter]
        webhook_url = gateway.webhook_url(source.id)
        steps = [scrub.text(step) for step in adapter.setup_steps(source.as_adapter_source(), webhook_url)]
        masked_key = mask(source.write_key) if source.write_key else None
        snippet = install_snippet(adapter, source, gateway.config, masked_key)
        views.append(SourceView(source, adapter.title or adapter.name, source.state,
                                gateway.sources.from_file(source.id),
                                addresses(adapter, source, public_url), steps, _secrets(source),
                                scrub.text(snippet) if snippet else None, offers_template(adapter, source),
                                activity.get(source.id, SourceActivity())))
    return views


def render_sources_page(add_problems: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    """The Sources page, with the problems of an Add form sent back to it."""
    gateway = current_gateway()
    gateway.sources.refresh(force=True)
    platforms = sorted(((name, adapter.title) for name, adapter in gateway.adapters.items()),
                       key=lambda item: item[1].lower())
    return render_template("console/sources.html", sources=source_views(gateway), platforms=platforms,
                           add_problems=add_problems or [], form=request.form), status


@blueprint.get("/sources")
def page() -> tuple[str, int]:
    """Each source, what to paste where, its setup steps; a form to add one."""
    return render_sources_page()


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
