"""CONTRIBUTING.md is true word for word: the files, names and commands its walk-throughs name exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import adapters.sdk
from app.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
EXAMPLE_ADAPTER = "shopify"  # a real adapter stands for the walk-throughs' <name>


def section(title: str) -> str:
    start = TEXT.index(f"## {title}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start:end if end > 0 else None]


def quoted(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def paths_in(text: str) -> list[str]:
    return [q.replace("<name>", EXAMPLE_ADAPTER).rstrip("/") for q in quoted(text)
            if re.match(r"^(app|adapters|tests|examples|bench)/", q) and " " not in q]


def module_of(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def test_follow_one_event_names_files_that_exist_in_order() -> None:
    text = section("Follow one event")
    steps = re.findall(r"^\d+\. (.*?)(?=^\d+\. |\Z)", text, re.M | re.S)
    assert len(steps) >= 8
    for step in steps:
        assert paths_in(step), f"a step names no file: {step[:60]}"
    paths = paths_in(text)
    for path in paths:
        assert (ROOT / path).exists(), f"CONTRIBUTING names {path}, which does not exist"
    modules = [importlib.import_module(module_of(p)) for p in paths if p.endswith(".py")]
    for name in quoted(text):
        if IDENTIFIER.match(name) and not name.endswith(".py"):
            assert any(_has(module, name) for module in modules), f"{name} is in none of {paths}"


def _has(module: object, dotted: str) -> bool:
    """Whether the module, or one of its classes (a method named alone), has the dotted name."""
    owners = [module, *(v for v in vars(module).values() if isinstance(v, type))]
    for owner in owners:
        target = owner
        for part in dotted.split("."):
            target = getattr(target, part, _MISSING)
        if target is not _MISSING:
            return True
    return False


_MISSING = object()


def test_adding_an_adapter_names_files_that_exist() -> None:
    for path in paths_in(section("Adding an adapter")):
        if "acme" in path or path.endswith(".json"):
            continue  # the walk-through's own example adapter, and case file patterns
        assert (ROOT / path).exists() or list(ROOT.glob(path)), f"CONTRIBUTING names {path}, which does not exist"


def test_adding_an_adapter_names_what_the_sdk_exports() -> None:
    text = section("Adding an adapter")
    sdk_line = re.search(r"from adapters\.sdk import (.+)", text)
    assert sdk_line
    named = {n.strip() for n in sdk_line.group(1).split(",")}
    named |= {"same_secret", "hmac_sha256", "derive_event_id", "read_lines", "Batch", "Reply", "CUT_PROPERTIES",
              "obj", "items_of", "text", "ident", "amount", "currency", "quantity", "email"} & set(quoted(text))
    missing = named - set(adapters.sdk.__all__)
    assert not missing, f"CONTRIBUTING names {missing}, which adapters.sdk does not export"


def test_the_scaffold_command_exists() -> None:
    assert "tagway adapters new <name>" in section("Adding an adapter")
    group = main.commands["adapters"]
    assert "new" in group.commands  # type: ignore[attr-defined]
