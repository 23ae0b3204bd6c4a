"""Consent of browser events from builders' pixels: the source's policy, the same for every platform.

A pixel reports the visitor's consent with each event (`context.consent`). A source's settings say which
consents an event needs (`consent_required`, default analytics) and what happens to one that lacks them
(`without_consent`): `anonymous` keeps the event without anything that identifies the visitor (no user,
the IP address cut to its network), `drop` records nothing. A pixel's input is anyone's to forge, so a
missing or unreadable consent counts as refused: forging one can only take data away.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from adapters.base import Event

PURPOSES = ("analytics", "marketing", "preferences", "saleOfData")
ANONYMOUS = "anonymous"
DROP = "drop"


class ConsentSettings(Schema):
    """The consent settings every pixel source has."""

    consent_required = fields.List(fields.String(validate=validate.OneOf(PURPOSES)), load_default=["analytics"],
                                   metadata={"description": "the consents an event needs to keep who the visitor "
                                                            "is: analytics, marketing, preferences, saleOfData",
                                             "example": ["analytics"]})
    without_consent = fields.String(load_default=ANONYMOUS, validate=validate.OneOf((ANONYMOUS, DROP)), metadata={
        "description": "what is done with an event that lacks a required consent: anonymous (kept without user "
                       "ids, the IP cut to its network) or drop (not recorded)",
        "example": ANONYMOUS})


def consent_of(flags: Mapping[str, Any]) -> dict[str, bool]:
    """The canonical consent (`context.consent`) from the platform's flags, named as in `PURPOSES`."""
    return {purpose: value for purpose, value in flags.items() if purpose in PURPOSES and isinstance(value, bool)}


def apply_consent(event: Event, consent: dict[str, bool], settings: Mapping[str, Any],
                  remote_addr: str | None) -> Event | None:
    """The event as the source's policy keeps it, its consent in `context.consent`; None when it is dropped."""
    context = {**event.get("context", {}), "consent": consent} if consent else dict(event.get("context", {}))
    required = settings.get("consent_required", ["analytics"])
    if all(consent.get(purpose) is True for purpose in required):
        return {**event, "context": context} if context else event
    if settings.get("without_consent", ANONYMOUS) == DROP:
        return None
    kept = {key: value for key, value in event.items() if key != "user"}
    network = anonymized_ip(remote_addr)
    if network:  # set here, so that the gateway does not add the full address
        context["ip"] = network
    if context:
        kept["context"] = context
    return kept


def anonymized_ip(address: str | None) -> str | None:
    """The address's network: the last octet of IPv4 zeroed, all but the first 48 bits of IPv6."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
