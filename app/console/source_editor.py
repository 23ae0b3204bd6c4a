"""Adding, editing and deleting sources in the console: live, in every worker within seconds, no restart.

Only sources kept in the database are edited here; the ones in tagway.toml are shown read-only (the
file is theirs). A secret field left blank keeps the secret it had: secrets are never sent to the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from marshmallow import fields
from werkzeug.wrappers import Response

from adapters.base import Adapter
from app.config.schema import SOURCE_ID
from app.gateway import Gateway, current_gateway
from app.sources.keys import fresh_secret
from app.sources.store import SourceStore
from app.sources.validation import SourceInvalid

blueprint = Blueprint("source_editor", __name__)


@dataclass(frozen=True)
class SettingField:
    """One setting of an adapter as a form field."""

    name: str
    label: str
    description: str
    kind: str
    """`text`, `secret`, `checkbox`, `number` or `json`."""
    required: bool
    value: str
    is_set: bool


def setting_fields(adapter: Adapter, table: dict[str, Any]) -> list[SettingField]:
    """The adapter's settings as form fields, filled from the stored table (secrets never are)."""
    if adapter.settings_schema is None:
        return []
    shown = []
    for name, field in adapter.settings_schema().fields.items():
        kind = _kind(field, name in adapter.secret_settings)
        value = table.get(name)
        if kind == "secret" or value is None:
            text = ""
        elif kind == "json":
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
        shown.append(SettingField(name, name.replace("_", " ").capitalize(),
                                  " ".join(str(field.metadata.get("description", "")).split()), kind,
                                  field.required, text, value not in (None, "")))
    return shown


def _kind(field: fields.Field, secret: bool) -> str:
    if secret:
        return "secret"
    if isinstance(field, fields.Boolean):
        return "checkbox"
    if isinstance(field, fields.Integer | fields.Float | fields.Decimal):
        return "number"
    if isinstance(field, fields.Dict | fields.List | fields.Nested | fields.Mapping):
        return "json"
    return "text"


def table_from_form(adapter: Adapter, table: dict[str, Any], form: Any) -> tuple[dict[str, Any], list[str]]:
    """The stored table changed by the form; problems with a field's JSON are named."""
    changed = dict(table)
    changed["title"] = form.get("title", "").strip()
    changed["enabled"] = form.get("enabled") == "on"
    origins = [line.strip() for line in form.get("allowed_origins", "").splitlines() if line.strip()]
    changed["allowed_origins"] = origins
    for key in ("rate_limit", "site"):  # blank: the gateway's default, no site
        value = form.get(key, "").strip()
        if value:
            changed[key] = value
        else:
            changed.pop(key, None)
    problems = []
    for setting in setting_fields(adapter, table):
        given = form.get(setting.name, "")
        if setting.kind == "checkbox":
            changed[setting.name] = setting.name in form
        elif setting.kind == "secret":
            if given:  # blank keeps the secret that was there
                changed[setting.name] = given
            elif form.get(f"clear_{setting.name}") == "on":
                changed.pop(setting.name, None)
        elif not given.strip():
            changed.pop(setting.name, None)
        elif setting.kind == "json":
            try:
                changed[setting.name] = json.loads(given)
            except ValueError:
                problems.append(f"{setting.name}: expected JSON, such as {{\"a\": \"b\"}} or [\"a\"]")
        else:
            changed[setting.name] = given.strip()
    return changed, problems


def _store(gateway: Gateway) -> SourceStore:
    return SourceStore(gateway.storage)


def _stored_table(gateway: Gateway, source_id: str) -> dict[str, Any]:
    gateway.sources.refresh(force=True)
    if gateway.sources.from_file(source_id):
        abort(404)
    table = next((t for t in _store(gateway).tables() if t["id"] == source_id), None)
    if table is None:
        abort(404)
    return table


def _save(gateway: Gateway, table: dict[str, Any]) -> list[str]:
    """Validate as the workers will, store, and reload here at once (other workers follow within seconds)."""
    try:
        _store(gateway).save(table, gateway.adapters)
    except SourceInvalid as error:
        return [problem.removeprefix(f"source {table['id']!r}.") for problem in error.problems]
    gateway.sources.refresh(force=True)
    return []


@blueprint.post("/sources")
def add() -> Response | tuple[str, int]:
    """Add a source for a platform; a write key is made for platforms that take one."""
    gateway = current_gateway()
    gateway.sources.refresh(force=True)
    platform = request.form.get("adapter", "")
    adapter = gateway.adapters.get(platform)
    source_id = request.form.get("id", "").strip() or platform.replace("_", "-")
    problems = []
    if adapter is None:
        problems.append(f"platform: choose one of the list (got {platform!r})")
    if not SOURCE_ID.match(source_id):
        problems.append(f"id: {source_id!r} must be 1-63 lower-case letters, digits, '-' or '_' (it is part of a URL)")
    elif gateway.sources.get(source_id) is not None:
        problems.append(f"id: a source {source_id!r} exists already; choose another id")
    if adapter is not None and not problems:
        table: dict[str, Any] = {"id": source_id, "adapter": adapter.name,
                                 "title": request.form.get("title", "").strip() or adapter.title}
        if adapter.accepts_write_key:
            table["write_key"] = fresh_secret("wk")
        problems = _save(gateway, table)
    if problems:
        from app.console.sources import render_sources_page  # the page shows the form again, with what to fix

        return render_sources_page(add_problems=problems, status=400)
    return redirect(url_for("console.sources.page") + f"#{source_id}", 303)


@blueprint.get("/sources/<source_id>/edit")
def edit_form(source_id: str) -> str:
    """The source's settings as a form."""
    gateway = current_gateway()
    table = _stored_table(gateway, source_id)
    return _edit_page(gateway, table, [])


def _edit_page(gateway: Gateway, table: dict[str, Any], problems: list[str], status: int = 200) -> Any:
    adapter = gateway.adapters[table["adapter"]]
    source = gateway.sources.get(table["id"])
    return render_template("console/source_edit.html", table=table, adapter=adapter, source=source,
                           fields=setting_fields(adapter, table), problems=problems), status


@blueprint.post("/sources/<source_id>/edit")
def edit(source_id: str) -> Any:
    """Save the form: effective here now and in every other worker within seconds."""
    gateway = current_gateway()
    table = _stored_table(gateway, source_id)
    adapter = gateway.adapters[table["adapter"]]
    changed, problems = table_from_form(adapter, table, request.form)
    if request.form.get("new_write_key") == "on" and adapter.accepts_write_key:
        changed["write_key"] = fresh_secret("wk")
    problems = problems or _save(gateway, changed)
    if problems:
        return _edit_page(gateway, changed, problems, 400)
    return redirect(url_for("console.sources.page") + f"#{source_id}", 303)


@blueprint.get("/sources/<source_id>/delete")
def delete_form(source_id: str) -> str:
    """Ask before deleting."""
    gateway = current_gateway()
    return render_template("console/source_delete.html", table=_stored_table(gateway, source_id))


@blueprint.post("/sources/<source_id>/delete")
def delete(source_id: str) -> Response:
    """Delete the source: its input is refused from now on; its stored events and rejections stay."""
    gateway = current_gateway()
    _stored_table(gateway, source_id)
    _store(gateway).delete(source_id)
    gateway.sources.refresh(force=True)
    return redirect(url_for("console.sources.page"), 303)
