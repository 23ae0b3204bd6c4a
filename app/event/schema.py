"""The canonical event's JSON Schema: loading it, and validating events against it."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs

from adapters.base import Problem
from adapters.times import parse_time

SCHEMA_RESOURCE = "schemas/event.v1.json"


@functools.cache
def event_schema() -> dict[str, Any]:
    """The canonical event schema (draft 2020-12) as shipped in the package."""
    text = resources.files("app").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def standard_names() -> frozenset[str]:
    """The standard event names, read from the schema so that the list lives in one place."""
    return frozenset(event_schema()["$defs"]["standardName"]["enum"])


def field_path(parts: Iterable[str | int]) -> str:
    """`['commerce', 'items', 0, 'price']` → `commerce.items[0].price`."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _reference_format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=["ipv4", "ipv6"])

    @checker.checks("date-time", raises=ValueError)
    def _is_datetime(value: object) -> bool:
        return not isinstance(value, str) or bool(parse_time(value))

    return checker


class EventValidator:
    """Validates events: a fast Rust validator says yes or no, the reference one explains a no."""

    def __init__(self, schema: dict[str, Any] | None = None) -> None:
        self.schema = schema if schema is not None else event_schema()
        self._fast = jsonschema_rs.Draft202012Validator(self.schema, validate_formats=True)
        self._reference = jsonschema.Draft202012Validator(
            self.schema, format_checker=_reference_format_checker()
        )

    def is_valid(self, event: Any) -> bool:
        """Whether the event matches the schema."""
        return bool(self._fast.is_valid(event))

    def problems(self, event: Any) -> list[Problem]:
        """The schema violations of `event`, each as field / value / expectation."""
        if self._fast.is_valid(event):
            return []
        errors = sorted(self._reference.iter_errors(event), key=lambda e: list(map(str, e.absolute_path)))
        by_field: dict[str, Problem] = {}
        for error in errors:
            problem = self._problem(error)
            # One problem per field; a standard name's requirement says more than a generic rule.
            if problem.field not in by_field or problem.expectation.startswith("present:"):
                by_field[problem.field] = problem
        if not by_field:  # the two validators disagree: never let that pass silently
            return [Problem("event", None, "an event matching the canonical schema")]
        return list(by_field.values())

    def _problem(self, error: jsonschema.ValidationError) -> Problem:
        path = list(error.absolute_path)
        keyword = error.validator
        if keyword == "required":
            missing = _quoted_name(error.message)
            return Problem(field_path([*path, missing]), None, self._required_expectation(error, missing))
        if keyword == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - set(allowed))
            field = field_path([*path, extra[0]]) if extra else field_path(path)
            value = error.instance.get(extra[0]) if extra else error.instance
            return Problem(field, value, "no such field; allowed here: " + ", ".join(allowed))
        if keyword == "dependentRequired":
            missing = _quoted_name(error.message)
            return Problem(field_path([*path, missing]), None, f"present whenever {_dependent_on(error)} is")
        expectation = error.schema.get("x-expectation") if isinstance(error.schema, dict) else None
        return Problem(field_path(path) or "event", error.instance, expectation or _describe(error))

    def _required_expectation(self, error: jsonschema.ValidationError, missing: str) -> str:
        """Say why a field is required: always, or because of the event's standard name."""
        schema_path = list(error.absolute_schema_path)
        if len(schema_path) > 2 and schema_path[0] == "allOf" and "then" in schema_path:
            condition = self.schema["allOf"][schema_path[1]]["if"]["properties"]["name"]
            names = [condition["const"]] if "const" in condition else condition["enum"]
            return f"present: {' / '.join(names)} events need {missing}"
        return "present (required)"


def _quoted_name(message: str) -> str:
    """The property name quoted at the start of a jsonschema message such as "'id' is a required property"."""
    return message.split("'")[1] if message.count("'") >= 2 else message


def _dependent_on(error: jsonschema.ValidationError) -> str:
    dependencies = error.validator_value or {}
    missing = _quoted_name(error.message)
    for field, needs in dependencies.items():
        if missing in needs:
            return str(field)
    return "another field"


def _describe(error: jsonschema.ValidationError) -> str:
    """An expectation for schema keywords that carry no `x-expectation`."""
    value = error.validator_value
    descriptions = {
        "type": lambda: "a value of type " + (" or ".join(value) if isinstance(value, list) else str(value)),
        "maxLength": lambda: f"a string of at most {value} characters",
        "minLength": lambda: f"a string of at least {value} characters",
        "maxItems": lambda: f"a list of at most {value} items",
        "minItems": lambda: f"a list of at least {value} items",
        "minimum": lambda: f"a number of at least {value}",
        "maximum": lambda: f"a number of at most {value}",
        "const": lambda: f"exactly {value!r}",
        "enum": lambda: "one of " + ", ".join(map(str, value)),
        "pattern": lambda: f"a string matching {value}",
        "format": lambda: f"a valid {value}",
    }
    describe = descriptions.get(str(error.validator))
    return describe() if describe else error.message

