"""TAGWAY_* variables: each sets one configuration key, and its value is read as the file's would be.

`TAGWAY_<SECTION>__<KEY>` sets a key of a section (`TAGWAY_STORAGE__URL` is `[storage] url`);
`TAGWAY_SOURCES` and `TAGWAY_DESTINATIONS` set the arrays of tables whole, as a TOML or JSON array.
A variable wins over the file. Other TAGWAY_* names (TAGWAY_CONFIG, the `${NAME}` secrets a file
refers to) are not keys and are left alone; a double underscore marks a key, so a misspelt one is
refused rather than ignored.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields

from app.config.schema import TopSchema

PREFIX = "TAGWAY_"
SEPARATOR = "__"
# The names of the first releases, kept working: each sets the same key as the variable it names.
ALIASES = {
    "TAGWAY_DATABASE_URL": "TAGWAY_STORAGE__URL",
    "TAGWAY_ADMIN_TOKEN": "TAGWAY_ADMIN__TOKEN",
    "TAGWAY_PUBLIC_URL": "TAGWAY_SERVER__PUBLIC_URL",
}
_SECTIONS: dict[str, Schema] = {name: f.schema for name, f in TopSchema().fields.items()
                                if isinstance(f, fields.Nested)}
_ARRAYS = frozenset(name for name, f in TopSchema().fields.items() if isinstance(f, fields.List))


@dataclass
class EnvironmentSettings:
    """What the TAGWAY_* variables set, and which variable set each key (to name it in errors)."""

    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    arrays: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)

    def apply(self, raw: dict[str, Any]) -> None:
        """Set the keys in `raw`, the file's tables: the environment wins."""
        for section, values in self.sections.items():
            table = raw.setdefault(section, {})
            if isinstance(table, dict):  # otherwise the schema names the file's wrong section
                table.update(values)
        raw.update(self.arrays)

    def variable_behind(self, key: str) -> str | None:
        """The variable that set `key` (`limits.max_batch_events`, `sources[0].id`), if one did."""
        for path, variable in self.variables.items():
            if key == path or key.startswith((path + ".", path + "[")):
                return variable
        return None

    def name_variable(self, problem: str) -> str:
        """`key: message` as `VARIABLE (key): message` when a variable set that key."""
        key, _, message = problem.partition(": ")
        variable = self.variable_behind(key)
        return f"{variable} ({key}): {message}" if variable else problem


def array_variable(name: str) -> str:
    """The variable that sets the array of tables `name` (TAGWAY_SOURCES)."""
    return PREFIX + name.upper()


def read_environment(environ: Mapping[str, str], problems: list[str]) -> EnvironmentSettings:
    """The configuration the TAGWAY_* variables give; what is wrong with them goes to `problems`."""
    settings = EnvironmentSettings()
    for variable, value in sorted(environ.items()):
        if not variable.startswith(PREFIX) or value == "":  # an empty variable is an unset one
            continue
        name = ALIASES.get(variable, variable)
        if name != variable and environ.get(name):
            if environ[name] != value:
                problems.append(f"{variable} and {name} set the same key to different values; keep {name}")
            continue
        section, separator, key = name[len(PREFIX):].lower().partition(SEPARATOR)
        if separator:
            _read_key(settings, variable, section, key, value, problems)
        elif section in _ARRAYS:
            array = _parse_array(value)
            if array is None:
                problems.append(f"{variable}: must be a TOML or JSON array of tables, such as "
                                f'[{{id = "web", adapter = "canonical", write_key = "${{WEB_WRITE_KEY}}"}}]')
            else:
                settings.arrays[section] = array
                settings.variables[section] = variable
    return settings


def _read_key(settings: EnvironmentSettings, variable: str, section: str, key: str, value: str,
              problems: list[str]) -> None:
    if section in _ARRAYS:
        problems.append(f"{variable}: [[{section}]] is set whole, with {array_variable(section)} "
                        "(a TOML or JSON array of tables)")
        return
    schema = _SECTIONS.get(section)
    if schema is None:
        problems.append(f"{variable}: no section [{section}]; the sections are {', '.join(sorted(_SECTIONS))}"
                        f" (and {', '.join(array_variable(name) for name in sorted(_ARRAYS))})")
        return
    kind = schema.fields.get(key)
    if kind is None:
        problems.append(f"{variable}: [{section}] has no key {key!r}; its keys are {', '.join(schema.fields)}")
        return
    if isinstance(kind, fields.List):
        parsed = _parse_array(value) if value.lstrip().startswith("[") else _comma_separated(value)
        if parsed is None:
            problems.append(f"{variable}: must be a TOML or JSON array, such as [\"a\", \"b\"], or values "
                            "separated by commas")
            return
        settings.sections.setdefault(section, {})[key] = parsed
    else:  # a string, as in the file: the schema converts and checks it (integers, booleans, ...)
        settings.sections.setdefault(section, {})[key] = value
    settings.variables[f"{section}.{key}"] = variable


def _parse_array(text: str) -> list[Any] | None:
    """A TOML array (inline tables included) or a JSON array; None when the text is neither."""
    try:
        document = tomllib.loads(f"value = {text}")
        parsed = document["value"] if set(document) == {"value"} else None
    except tomllib.TOMLDecodeError:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return None
    return parsed if isinstance(parsed, list) else None


def _comma_separated(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]
