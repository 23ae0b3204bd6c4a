"""Text written for people, shown in the console: `backticked` spans become code, everything else is escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from markupsafe import Markup, escape

from adapters.times import format_time

_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: object) -> Markup:
    """The text as HTML, each `span` between backticks (as adapters write commands and keys) shown as <code>."""
    parts = _CODE_SPAN.split(str(text))
    # split() alternates: text, the inside of a span, text, ...; an unpaired backtick stays a backtick.
    return Markup("").join(escape(part) if number % 2 == 0 else Markup("<code>%s</code>") % part
                           for number, part in enumerate(parts))


def console_time(epoch_seconds: int) -> Markup:
    """A time kept as Unix seconds, as a <time> element (console.js shows it in the reader's time zone)."""
    iso = format_time(datetime.fromtimestamp(epoch_seconds, UTC))
    return Markup('<time datetime="%s">%s</time>') % (iso, iso)
