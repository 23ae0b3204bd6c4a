"""People: find a customer by any identifier; their timeline by session, the journey before each chat marked."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.console.present import Scrubber
from app.gateway import current_gateway
from app.projections.people.queries import People

blueprint = Blueprint("people", __name__)
MAX_ID = 2**63 - 1
EVENTS_SHOWN = 200


@blueprint.get("/people")
def page() -> str:
    """A search by anonymous id, member id, e-mail or phone; the projection's lag."""
    gateway = current_gateway()
    query = request.args.get("q", "").strip()[:320]
    people = People(gateway.storage)
    found = [p for p in map(people.profile, people.find(query)) if p is not None] if query else []
    lag = next((lag for lag in gateway.projection_runner().lags() if lag.name == "people"), None)
    return render_template("console/people.html", query=query, found=found, lag=lag,
                           enabled=gateway.config.people.enabled)


@blueprint.get("/people/<int:person_id>")
def person(person_id: int) -> Response | str:
    """A person's identifiers and traits, their sessions newest first, the pages before each chat highlighted."""
    gateway = current_gateway()
    people = People(gateway.storage)
    profile = people.profile(person_id) if person_id <= MAX_ID else None
    if profile is None:
        page = render_template("console/message.html", title=f"No person {person_id}",
                               detail=f"There is no person with the number {person_id}. Search the People page.")
        return Response(page, status=404)
    before = request.args.get("before") or None
    timeline = people.timeline(person_id, before, EVENTS_SHOWN)
    scrub = Scrubber(gateway.secrets())
    for session in timeline["sessions"]:
        before_chat: set[int] = set()
        for chat in session["chats"]:
            before_chat.update(e["seq"] for e in session["events"]
                               if e["name"] == "PageView" and e["occurredAt"] <= chat["openedAt"])
        for event in session["events"]:
            event["beforeChat"] = event["seq"] in before_chat
            event["url"] = scrub.text(event["url"]) if event["url"] else None
        for chat in session["chats"]:  # a page's address may carry a key someone pasted into a link
            chat["page"] = scrub.text(chat["page"]) if chat["page"] else None
            for page in chat["pages"]:
                page["url"] = scrub.text(page["url"])
    return render_template("console/person.html", person=profile, timeline=timeline)
