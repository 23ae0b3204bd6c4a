"""Times as the canonical event writes them (RFC 3339 UTC, milliseconds, Z) and as clients send them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import product
from typing import Any

RFC3339_EXAMPLE = "2026-11-24T09:30:00.000Z"
RFC3339_EXPECTATION = f"an RFC 3339 time such as {RFC3339_EXAMPLE}"

# RFC 3339 section 5.6, in ASCII digits only. "t", "z" and a space for "T" are RFC 3339's own
# (its section 5.6 allows lower case and, in a note, the space); ISO 8601's other forms (week and
# ordinal dates, basic format, comma fractions, reduced precision) are not RFC 3339 and are refused.
_DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_HOUR_MINUTE = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_SECONDS = r":[0-5][0-9](?:\.[0-9]+)?"
_OFFSET_HOUR = r"[+-](?:[01][0-9]|2[0-3])"


def _grammar(offset_without_colon: bool, missing_seconds: bool, utc_without_offset: bool) -> re.Pattern[str]:
    """RFC 3339's date-time, widened only by the deviations asked for."""
    seconds = f"(?:{_SECONDS})?" if missing_seconds else _SECONDS
    offset = f"(?:[Zz]|{_OFFSET_HOUR}{':?' if offset_without_colon else ':'}[0-5][0-9])"
    return re.compile(f"{_DATE}[Tt ]{_HOUR_MINUTE}{seconds}{offset}{'?' if utc_without_offset else ''}")


def _expectation(offset_without_colon: bool, missing_seconds: bool, utc_without_offset: bool) -> str:
    """What a caller with these deviations accepts, in words."""
    also = [note for allowed, note in ((offset_without_colon, "an offset without a colon, 2026-11-24T18:30:00+0900"),
                                       (missing_seconds, "no seconds, 2026-11-24T09:30Z"),
                                       (utc_without_offset, "no offset for UTC, 2026-11-24T09:30:00"))
            if allowed]
    return RFC3339_EXPECTATION + (f"; accepted here too: {'; '.join(also)}" if also else "")


_GRAMMARS = {options: (_grammar(*options), _expectation(*options)) for options in product((False, True), repeat=3)}
_STRICT, _STRICT_EXPECTATION = _GRAMMARS[False, False, False]
_CANONICAL_TIME = re.compile(f"{_DATE}T{_HOUR_MINUTE}:[0-5][0-9]\\.[0-9]{{3}}Z")


def in_canonical_form(value: Any) -> bool:
    """Whether `value` is written as the canonical event writes times (`2026-11-24T09:30:00.000Z`).

    What tagway's clients, JavaScript's toISOString and every adapter write; the shape only: whether the calendar
    has the day (2026-02-30) is for `parse_time` to say.
    """
    return type(value) is str and len(value) == 24 and _CANONICAL_TIME.fullmatch(value) is not None


def format_time(moment: datetime) -> str:
    """Format an aware datetime as `2026-11-24T09:30:00.123Z`."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    # isoformat() runs in C (faster without its timespec argument); in UTC it ends with "+00:00", which the
    # canonical form writes "Z"; without microseconds it has no fraction, which the canonical form writes ".000".
    text = utc.isoformat()
    return text[:23] + "Z" if len(text) == 32 else text[:19] + ".000Z"


def parse_time(text: str, *, allow_offset_without_colon: bool = False, allow_missing_seconds: bool = False,
               allow_utc_without_offset: bool = False) -> datetime:
    """Parse an RFC 3339 time with an offset; raise ValueError saying what was expected otherwise.

    The `allow_*` options admit one platform's documented deviation each; whoever passes one names
    the platform's documentation beside it.
    """
    if in_canonical_form(text):
        # Most times arrive in the canonical form already: already UTC, no offset to read or convert.
        try:
            return datetime.fromisoformat(text)
        except ValueError:  # a day the month does not have, year 0
            raise ValueError(_STRICT_EXPECTATION) from None
    if allow_offset_without_colon or allow_missing_seconds or allow_utc_without_offset:
        grammar, expectation = _GRAMMARS[allow_offset_without_colon, allow_missing_seconds, allow_utc_without_offset]
    else:
        grammar, expectation = _STRICT, _STRICT_EXPECTATION
    if not isinstance(text, str) or not grammar.fullmatch(text):
        raise ValueError(expectation)
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:  # a day the month does not have (2026-02-30), year 0
        raise ValueError(expectation) from None
    if moment.tzinfo is None:  # only when allow_utc_without_offset
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("a time between the years 1 and 9999 in UTC") from None


def from_epoch_millis(millis: int | float) -> datetime:
    """A datetime from milliseconds since the Unix epoch."""
    return datetime.fromtimestamp(millis / 1000, tz=UTC)
