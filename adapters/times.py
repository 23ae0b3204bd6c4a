"""Times as the canonical event writes them (RFC 3339 UTC, milliseconds, Z) and as clients send them."""

from __future__ import annotations

from datetime import UTC, datetime


def format_time(moment: datetime) -> str:
    """Format an aware datetime as `2026-11-24T09:30:00.123Z`."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    # isoformat() runs in C; in UTC it always ends with "+00:00", which the canonical form writes "Z".
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 time with an offset; raise ValueError otherwise."""
    if not isinstance(text, str) or len(text) < 20 or text[10] not in "Tt ":
        raise ValueError("not an RFC 3339 time")
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError("an RFC 3339 time needs an offset such as Z or +09:00")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("a time between the years 1 and 9999 in UTC") from None


def from_epoch_millis(millis: int | float) -> datetime:
    """A datetime from milliseconds since the Unix epoch."""
    return datetime.fromtimestamp(millis / 1000, tz=UTC)
