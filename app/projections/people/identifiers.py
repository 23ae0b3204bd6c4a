"""The identifiers of one event that may link a person, cleaned and filtered."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.config.model import PeopleSettings
from app.projections.people.trust import Trust

KINDS = ("member", "anonymous", "email", "phone")
"""In the order a person is chosen by: the member id names them first."""
_PHONE_NOISE = re.compile(r"[\s().-]")


def clean(kind: str, value: Any) -> str | None:
    """An identifier as it is compared (emails lower-cased, phones without spaces or dashes), or None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if kind == "email":
        text = text.lower()
    elif kind == "phone":
        text = _PHONE_NOISE.sub("", text)
    return text


def linkable(event: Mapping[str, Any], trust: Trust, settings: PeopleSettings) -> list[tuple[str, str]]:
    """(kind, value) pairs this event may link: its anonymous id always, the others when its source is trusted."""
    user = event.get("user") or {}
    member_trusted, contact_trusted = trust.of(event)
    wanted = [("anonymous", user.get("anonymousId"))]
    if member_trusted:
        wanted += [("member", user.get("memberId")), ("anonymous", user.get("previousId"))]  # alias: earlier id
    if contact_trusted:
        wanted += [("email", user.get("email")), ("phone", user.get("phone"))]
    found: list[tuple[str, str]] = []
    for kind, raw in wanted:
        if raw is None:
            continue
        value = clean(kind, raw)
        if value is not None and not settings.is_junk(value) and (kind, value) not in found:
            found.append((kind, value))
    return sorted(found, key=lambda pair: _ORDER[pair[0]])


def ranked(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Identifiers in the order a person is chosen by (member first), each once."""
    return sorted(set(pairs), key=lambda pair: (_ORDER[pair[0]], pair[1]))


_ORDER = {kind: index for index, kind in enumerate(KINDS)}
