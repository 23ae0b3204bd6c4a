"""Deliveries: counts per destination, dead letters with their last error, replay after a confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from adapters.times import format_time
from app.console.present import Scrubber
from app.delivery.router import ENRICH
from app.gateway import Gateway, current_gateway
from app.storage.outbox import STATUSES

blueprint = Blueprint("deliveries", __name__)
DEAD_LETTERS_SHOWN = 50


@dataclass(frozen=True)
class DestinationView:
    """One destination with its counts and newest dead letters."""

    id: str
    title: str
    kind: str
    enabled: bool
    counts: dict[str, int]
    dead: list[dict[str, Any]]


def destination_views(gateway: Gateway) -> list[DestinationView]:
    """Every destination (and provider-API enrichment when it has rows) with counts and dead letters."""
    counts = gateway.storage.delivery_counts()
    scrub = Scrubber(gateway.secrets())
    shown = [(d.id, d.config.title or d.id, d.kind, d.config.enabled) for d in gateway.destinations]
    if ENRICH in counts:
        shown.append((ENRICH, "Order details from the shop's API (enrichment)", "enrichment", True))
    views = []
    for destination_id, title, kind, enabled in shown:
        dead = gateway.storage.deliveries(destination_id, "dead", limit=DEAD_LETTERS_SHOWN)
        for row in dead:
            row["lastError"] = scrub.text(row["lastError"] or "")
        views.append(DestinationView(destination_id, title, kind, enabled,
                                     counts.get(destination_id, dict.fromkeys(STATUSES, 0)), dead))
    return views


def _known(gateway: Gateway, destination_id: str) -> bool:
    return destination_id == ENRICH or any(d.id == destination_id for d in gateway.destinations)


def _replay_target() -> tuple[str, int | None] | None:
    """The destination and (optional) delivery id named by the request, or None when they are not valid."""
    values = request.form if request.method == "POST" else request.args
    destination_id = values.get("destination", "")
    delivery = values.get("id", "")
    if not _known(current_gateway(), destination_id) or (delivery and not delivery.isdigit()):
        return None
    return destination_id, int(delivery) if delivery else None


@blueprint.get("/deliveries")
def page() -> str:
    """Counts per destination and the dead letters."""
    replayed = request.args.get("replayed", "")
    return render_template("console/deliveries.html", destinations=destination_views(current_gateway()),
                           replayed=int(replayed) if replayed.isdigit() else None,
                           replayed_to=request.args.get("destination"))


@blueprint.get("/deliveries/replay")
def confirm() -> Response | str:
    """The confirmation step: what a replay will send again, with a button to do it."""
    target = _replay_target()
    if target is None:
        return redirect(url_for("console.deliveries.page"), 303)
    destination_id, delivery = target
    gateway = current_gateway()
    if delivery is not None:
        rows = [row for row in gateway.storage.deliveries(destination_id, "dead", before=delivery + 1, limit=1)
                if row["id"] == delivery]
    else:
        rows = gateway.storage.deliveries(destination_id, "dead", limit=DEAD_LETTERS_SHOWN)
    total = len(rows) if delivery is not None else len(gateway.storage.replayable_ids(destination_id))
    return render_template("console/replay_confirm.html", destination=destination_id, delivery=delivery,
                           rows=rows, total=total)


@blueprint.post("/deliveries/replay")
def replay() -> Response:
    """Queue dead letters again (one, or all of a destination) and go back to the counts."""
    target = _replay_target()
    if target is None:
        return redirect(url_for("console.deliveries.page"), 303)
    destination_id, delivery = target
    gateway = current_gateway()
    count = gateway.storage.requeue(format_time(gateway.clock()), destination=destination_id,
                                    outbox_ids=[delivery] if delivery is not None else ())
    query = urlencode({"replayed": count, "destination": destination_id})
    return redirect(f"{url_for('console.deliveries.page')}?{query}#replayed", 303)
