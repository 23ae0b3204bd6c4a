"""The GTM web tag template, pre-filled for one source: its gateway URL and write key as the fields' defaults.

The shop owner imports the file into Google Tag Manager, adds a tag of its type, and only picks the
trigger; or imports the GTM container export built around it (app/console/gtm_container.py), which holds
the tag and the trigger too. The file is gtm_templates/web-tag/template.tpl (shipped inside the package through the
symlink app/console/gtm/web-tag.tpl) with the two defaults added to ___TEMPLATE_PARAMETERS___;
every other section is sent byte for byte.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, render_template

from adapters.base import Adapter, Problem
from app.config.model import SourceConfig
from app.console.gtm_container import container_json
from app.console.guard import refuse_other_source, reveals_secret, viewer_allowed
from app.console.tpl import PARAMETERS, section_span
from app.gateway import Gateway, current_gateway
from app.problems import ProblemError

blueprint = Blueprint("template_download", __name__)
TEMPLATE = Path(__file__).parent / "gtm" / "web-tag.tpl"
URL_FIELD = "gatewayUrl"
KEY_FIELD = "writeKey"
CONTAINER_FILE = "tagway-gtm-container.json"


def offers_template(adapter: Adapter, source: SourceConfig) -> bool:
    """Whether a source is one the GTM web tag sends to: browsers send to it with its write key."""
    return adapter.speaks_gtm_web_tag and bool(source.write_key)


def _with_defaults(parameters: list[dict[str, Any]], defaults: dict[str, str]) -> set[str]:
    """Set `defaultValue` on the named fields (in groups too); the names found."""
    found = set()
    for parameter in parameters:
        name = parameter.get("name")
        if name in defaults:
            parameter["defaultValue"] = defaults[name]
            found.add(name)
        found |= _with_defaults(parameter.get("subParams") or [], defaults)
    return found


def prefilled(text: str, defaults: dict[str, str]) -> str:
    """The template text with `defaults` as the default values of those fields; nothing else changes."""
    start, end = section_span(text, PARAMETERS)
    body = text[start:end]
    parameters = json.loads(body)
    missing = set(defaults) - _with_defaults(parameters, defaults)
    if missing:
        raise ValueError(f"the template has no field {', '.join(sorted(missing))}")
    # Kept as GTM writes its exports: two-space indents, and the blank lines around the section.
    leading, trailing = body[:len(body) - len(body.lstrip())], body[len(body.rstrip()):]
    return text[:start] + leading + json.dumps(parameters, indent=2, ensure_ascii=False) + trailing + text[end:]


def _template_source(gateway: Gateway, source_id: str) -> SourceConfig:
    source = gateway.sources.get(source_id)
    if source is None or not offers_template(gateway.adapters[source.adapter], source):
        raise ProblemError("not-found", [Problem("source", source_id,
                                                 "a source the GTM web tag sends to (with a write key)")])
    return source


@blueprint.get("/sources/<source_id>/template")
@viewer_allowed
def page(source_id: str) -> Response | str:
    """The steps for the GTM tag, with the download button (the file carries the write key: a POST).

    A viewer link opens it for its own source: the shop owner imports the container without waiting for
    anyone (the write key in it is the one their pages show anyway; it only lets events in).
    """
    refused = refuse_other_source(source_id)
    if refused is not None:
        return refused
    gateway = current_gateway()
    source = gateway.sources.get(source_id)
    if source is None or not offers_template(gateway.adapters[source.adapter], source):
        page = render_template("console/message.html", title="No GTM template for this source",
                               detail=f"The source {source_id!r} is not one the GTM web tag sends to. "
                                      "Open the Sources page and pick a GTM source.")
        return Response(page, status=404)
    return render_template("console/template_download.html", source=source,
                           gateway_url=gateway.config.server.public_url.rstrip("/"))


def _prefilled_for(gateway: Gateway, source: SourceConfig) -> str:
    """The template with this source's gateway URL and write key as the two fields' defaults."""
    assert source.write_key is not None  # offers_template says so
    return prefilled(TEMPLATE.read_text(encoding="utf-8"),
                     {URL_FIELD: gateway.config.server.public_url.rstrip("/"), KEY_FIELD: source.write_key})


def _attachment(body: str, filename: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blueprint.post("/sources/<source_id>/template.tpl")
@reveals_secret
@viewer_allowed
def download(source_id: str) -> Response:
    """template.tpl with this source's gateway URL and write key filled in, as a file to save."""
    refused = refuse_other_source(source_id)
    if refused is not None:
        return refused
    gateway = current_gateway()
    source = _template_source(gateway, source_id)
    filename = f"tagway-{re.sub(r'[^A-Za-z0-9_-]', '-', source.id)}-template.tpl"
    return _attachment(_prefilled_for(gateway, source), filename, "application/octet-stream")


@blueprint.post(f"/sources/<source_id>/{CONTAINER_FILE}")
@reveals_secret
@viewer_allowed
def download_container(source_id: str) -> Response:
    """A GTM container export with that same template, a tag of its type and an all-events trigger."""
    refused = refuse_other_source(source_id)
    if refused is not None:
        return refused
    gateway = current_gateway()
    source = _template_source(gateway, source_id)
    text = container_json(_prefilled_for(gateway, source), datetime.now(UTC))
    return _attachment(text, CONTAINER_FILE, "application/json")
