"""The canonical event's JSON Schema: loading it, and validating events against it."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

import jsonschema_rs

from adapters.base import Problem

SCHEMA_RESOURCE = "schemas/event.v1.json"


@functools.cache
def event_schema() -> dict[str, Any]:
    """The canonical event schema (draft 2020-12) as shipped in the package."""
    text = resources.files("app").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def field_path(parts: Iterable[str | int]) -> str:
    """`['commerce', 'items', 0, 'price']` → `commerce.items[0].price`."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


class EventValidator:
    """Validates events with jsonschema-rs (ECMA-262 patterns, as the draft says) and explains each refusal."""

    def __init__(self, schema: dict[str, Any] | None = None) -> None:
        self.schema = schema if schema is not None else event_schema()
        self._validator = jsonschema_rs.Draft202012Validator(self.schema, validate_formats=True)

    def problems(self, event: Any) -> list[Problem]:
        """The schema violations of `event`, each as field / value / expectation."""
        # is_valid stops at the first error: the accept path never collects errors it would not report.
        if self._validator.is_valid(event):
            return []
        errors = sorted(self._validator.iter_errors(event), key=lambda e: list(map(str, e.instance_path)))
        by_field: dict[str, Problem] = {}
        for error in errors:
            problem = self._problem(error, _keys_as_strings(event, error.instance_path))
            # One problem per field; a standard name's requirement says more than a generic rule.
            if problem.field not in by_field or problem.expectation.startswith("present:"):
                by_field[problem.field] = problem
        return list(by_field.values())

    def _problem(self, error: jsonschema_rs.ValidationError, path: list[str | int]) -> Problem:
        keyword = error.schema_path[-1]
        rule = self._subschema(error.schema_path[:-1])
        kind = error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            field = field_path([*path, kind.property])
            if keyword == "dependentRequired":
                return Problem(field, None, f"present whenever {_dependent_on(rule[keyword], kind.property)} is")
            return Problem(field, None, self._required_expectation(error.schema_path, kind.property))
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            extra = sorted(kind.unexpected)[0]
            allowed = sorted(rule.get("properties", {}))
            value = error.instance.get(extra) if isinstance(error.instance, dict) else None
            return Problem(field_path([*path, extra]), value, "no such field; allowed here: " + ", ".join(allowed))
        expectation = rule.get("x-expectation") or _describe(str(keyword), rule.get(str(keyword)), error.message)
        value = error.instance
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.PropertyNames):
            value = kind.error.instance  # a refused property name is reported on its object, the name as the value
        return Problem(field_path(path) or "event", value, expectation)

    def _subschema(self, schema_path: Sequence[str | int]) -> dict[str, Any]:
        """The schema object at `schema_path` (jsonschema-rs reports paths with `$ref`s resolved)."""
        node: Any = self.schema
        for part in schema_path:
            node = node[part]
        return node if isinstance(node, dict) else {}

    def _required_expectation(self, schema_path: Sequence[str | int], missing: str) -> str:
        """Say why a field is required: always, or because of the event's standard name."""
        if len(schema_path) > 2 and schema_path[0] == "allOf" and "then" in schema_path:
            condition = self.schema["allOf"][schema_path[1]]["if"]["properties"]["name"]
            names = [condition["const"]] if "const" in condition else condition["enum"]
            return f"present: {' / '.join(names)} events need {missing}"
        return "present (required)"


def _keys_as_strings(event: Any, instance_path: Sequence[str | int]) -> list[str | int]:
    """The error's location, every object key a string (jsonschema-rs reports a key such as "9" as the number 9)."""
    path: list[str | int] = []
    node = event
    for part in instance_path:
        if isinstance(node, dict):
            part = str(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        path.append(part)
    return path


def _dependent_on(dependencies: dict[str, list[str]], missing: str) -> str:
    """The field whose presence requires `missing`, from a `dependentRequired` rule."""
    return next((field for field, needs in dependencies.items() if missing in needs), "another field")


def _describe(keyword: str, value: Any, message: str) -> str:
    """An expectation for schema keywords that carry no `x-expectation` (the library's message otherwise)."""
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
    describe = descriptions.get(keyword)
    return describe() if describe else message
