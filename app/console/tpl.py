"""The sections of a GTM template file (.tpl): `___NAME___` headers, each followed by its text."""

from __future__ import annotations

import json
import re
from typing import Any

PARAMETERS = "TEMPLATE_PARAMETERS"
_SECTION = re.compile(r"^___([A-Z_]+)___$", re.MULTILINE)


def section_span(text: str, name: str) -> tuple[int, int]:
    """Where the body of section `name` starts and ends (after its header, up to the next header)."""
    headers = list(_SECTION.finditer(text))
    for number, header in enumerate(headers):
        if header[1] == name:
            return header.end(), headers[number + 1].start() if number + 1 < len(headers) else len(text)
    raise ValueError(f"the template has no ___{name}___ section")


def template_fields(text: str) -> list[dict[str, Any]]:
    """The template's fields, as ___TEMPLATE_PARAMETERS___ declares them."""
    start, end = section_span(text, PARAMETERS)
    fields: list[dict[str, Any]] = json.loads(text[start:end])
    return fields
