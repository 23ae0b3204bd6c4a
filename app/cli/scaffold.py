"""Writing the files of a new built-in adapter: its module, its README, its first case and its test signer."""

from __future__ import annotations

import json
import keyword
import pkgutil
import re
from collections.abc import Collection
from importlib.resources import files
from pathlib import Path
from string import Template

import adapters

NAME = re.compile(r"[a-z][a-z0-9_]*")
TITLE = re.compile(r"[^\"\\{}\x00-\x1f\x7f]+")  # it is written into Python string literals and f-strings
TEMPLATES = files("app.cli") / "templates" / "adapter"
CASE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105  (the Standard Webhooks test-vector secret)
CASE_TIMESTAMP = "1795521600"  # the case's `now`, 2026-11-24T12:00:00Z, in Unix seconds


class ScaffoldError(Exception):
    """The adapter cannot be scaffolded; the message says why."""


def check_name(name: str, root: Path, registered: Collection[str]) -> None:
    """Refuse a name that is no lower-case Python identifier, or that an adapter or a module has already."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(f"{name!r} is not a lower-case Python identifier (a-z, then a-z, 0-9 or _; not a "
                            "keyword): it is the adapter's folder, package and registry name")
    if name in registered:
        raise ScaffoldError(f"an adapter named {name!r} is registered already; choose another name")
    # The adapters package's own modules (base, sdk, ...) would be shadowed by a folder of the same name.
    if name in {module.name for module in pkgutil.iter_modules(adapters.__path__)}:
        raise ScaffoldError(f"{name!r} is a module of the adapters package; choose another name")
    taken = [path for path in (root / "adapters" / name, root / "adapters" / f"{name}.py",
                               root / "tests" / "adapters" / name) if path.exists()]
    if taken:
        raise ScaffoldError(f"{taken[0]} exists already; choose another name")


def check_title(title: str) -> None:
    """Refuse a title that cannot be written as it is into the generated module."""
    if not TITLE.fullmatch(title):
        raise ScaffoldError(f"--title {title!r}: one line without quotes, backslashes or braces")


def scaffold_adapter(root: Path, name: str, title: str) -> list[Path]:
    """Write the adapter `name` under `root` (adapters/<name>/, tests/adapters/<name>/); the files written."""
    values = {"name": name, "title": title, "class_name": "".join(part.title() for part in name.split("_"))}
    module, tests = root / "adapters" / name, root / "tests" / "adapters" / name
    written = {
        module / "__init__.py": _render("__init__.py.tmpl", values),
        module / "README.md": _render("README.md.tmpl", values),
        tests / "signer.py": _render("signer.py.tmpl", values),
        tests / "cases" / "bad_signature.json": json.dumps(first_case(title), indent=2) + "\n",
    }
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(written)


def first_case(title: str) -> dict[str, object]:
    """A wrong signature refused: true of any adapter that verifies, whatever the body (a placeholder, said so)."""
    return {
        "description": "The signature is not the source secret's: 401, kept as a rejection",
        "origin": f"written by `tagway adapters new`: the body is a placeholder, not a {title} request; replace it "
                  f"with a real one from {title}'s documentation (see the adapter's README.md)",
        "now": "2026-11-24T12:00:00.000Z",
        "source": {"settings": {"secret": CASE_SECRET}},
        "request": {
            "method": "POST",
            "headers": {"Content-Type": "application/json", "webhook-id": "msg_replace_me",
                        "webhook-timestamp": CASE_TIMESTAMP, "webhook-signature": "v1," + "A" * 43 + "="},
            "body": {"replace": f"with a real {title} webhook body"},
        },
        "expect": {"status": 401, "rejection": {"reason": "signature"}},
    }


def _render(template: str, values: dict[str, str]) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
