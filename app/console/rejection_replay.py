"""Replaying a rejection from its page: the kept input runs through ingestion again, as `tagway replay` does."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from app.console.details import ReplayNotice, find_rejection, render_rejection
from app.gateway import current_gateway
from app.ingest.replay import replay_rejection
from app.problems import ProblemError

blueprint = Blueprint("rejection_replay", __name__)


@blueprint.post("/rejections/<int:rejection_id>/replay")
def replay(rejection_id: int) -> Response:
    """Replay one rejection, then show its page with the outcome (or why it cannot be replayed)."""
    found = find_rejection(rejection_id)
    if found is None:
        return redirect(url_for("console.details.rejection", rejection_id=rejection_id), 303)
    try:
        outcome = replay_rejection(current_gateway(), rejection_id, request.form.get("source") or None)
    except ProblemError as error:  # not replayable: the page says why, the rejection stays as it was
        reasons = "; ".join(f"{p.field}: expected {p.expectation}" for p in error.problems)
        return render_rejection(found, ReplayNotice(error=f"{error.title}. {reasons}"), status=error.status)
    if outcome.problem and not outcome.data.get("rejectionId"):  # nothing recorded (storage unavailable)
        detail = outcome.data.get("detail") or outcome.data.get("title")
        return render_rejection(found, ReplayNotice(error=str(detail)), status=outcome.status)
    again = _new_rejection(outcome.data) if outcome.problem or not outcome.data.get("accepted") else None
    query = {"replayed": "refused", "again": str(again or "")} if again is not None or outcome.problem \
        else {"replayed": "accepted"}
    target = url_for("console.details.rejection", rejection_id=rejection_id)
    return redirect(f"{target}?{urlencode(query)}#replay-outcome", 303)


def _new_rejection(body: dict[str, Any]) -> int | None:
    """The rejection a replay refused again was kept as (a webhook's events are answered one by one)."""
    if body.get("rejectionId"):
        return int(body["rejectionId"])
    refused = [item["rejectionId"] for item in body.get("results", []) if item.get("rejectionId")]
    return int(refused[0]) if refused else None
