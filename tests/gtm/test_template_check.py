"""The template check: both templates pass every check, and each check catches what it is for."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gtm.node_runner import CHECKS, TEMPLATES, WEB_TEMPLATE, check

CASES = [(template, name) for template in TEMPLATES for name in CHECKS]


@pytest.mark.parametrize(("template", "name"), CASES, ids=[f"{t.parent.name}: {n}" for t, n in CASES])
def test_template_passes_the_check(template: Path, name: str) -> None:
    assert check(template)[name] == []


def _code(text: str, old: str, new: str) -> str:
    assert old in text, f"the web template no longer contains {old!r}: update this test"
    return text.replace(old, new, 1)


def _drop_section(text: str, name: str) -> str:
    start = text.index(f"___{name}___")
    following = text.find("\n___", start + len(name) + 6)
    return text[:start] + (text[following + 1:] if following >= 0 else "")


def _without(name: str) -> str:
    return name  # a file of the template's folder that the broken copy lacks


# (what is broken, how: a change of template.tpl or a file left out, the check that must say so, what it says)
BREAKAGES: list[tuple[str, Callable[[str], str] | str, str, str]] = [
    ("undeclared field", lambda t: _code(t, "filled(data.memberId)", "filled(data.memberNumber)"),
     "fields", "reads data.memberNumber, which is not a declared field"),
    ("unused field", lambda t: _code(t, "if (filled(data.memberId)) {\n    payload.user.memberId = "
                                       "makeString(data.memberId);\n  }", ""),
     "fields", "field memberId is declared but the code never reads it"),
    ("template literal", lambda t: _code(t, "const LIBRARY = ", "const where = `page`;\nconst LIBRARY = "),
     "syntax", "template literals are not sandboxed JavaScript"),
    ("global without require", lambda t: _code(t, "const HEX = ", "const RANDOM = Date.now();\nconst HEX = "),
     "syntax", "uses `Date`, which the sandbox does not define"),
    ("API without permission", lambda t: _code(t, "const LIBRARY = ", "const injectScript = require('injectScript');\n"
                                               "const LIBRARY = "),
     "permissions", "require('injectScript') needs the inject_script permission"),
    ("data layer key nobody reads", lambda t: _code(t, '"string": "ecommerce"',
                                                    '"string": "ecommerce"}, {"type": 1, "string": "user.email"'),
     "permissions", '"user.email", which no call uses'),
    ("data layer key not allowed", lambda t: _code(t, "copyFromDataLayer('eventModel')",
                                                   "copyFromDataLayer('user.email')"),
     "permissions", 'copyFromDataLayer("user.email") is not allowed by read_data_layer'),
    ("logging on the live site", lambda t: _code(t, '"string": "debug"', '"string": "all"'),
     "permissions", "logging must be limited to the debug environment"),
    ("missing section", lambda t: _drop_section(t, "NOTES"), "sections", "missing section ___NOTES___"),
    ("broken JSON", lambda t: _code(t, '"type": "TAG",', '"type": "TAG"'), "sections", "___INFO___ is not valid JSON"),
    ("duplicate scenario", lambda t: _code(t, "- name: Sends the member id", "- name: Sends the properties table"),
     "tests", "is used twice"),
    ("no LICENSE", _without("LICENSE"), "files", "LICENSE is missing"),
    ("no metadata.yaml", _without("metadata.yaml"), "metadata", "metadata.yaml is missing"),
]


@pytest.mark.parametrize(("breakage", "name", "expected"), [(b[1], b[2], b[3]) for b in BREAKAGES],
                         ids=[b[0] for b in BREAKAGES])
def test_the_check_catches(tmp_path: Path, breakage: Callable[[str], str] | str, name: str, expected: str) -> None:
    folder = tmp_path / "web-tag"
    shutil.copytree(WEB_TEMPLATE.parent, folder)
    template = folder / "template.tpl"
    if isinstance(breakage, str):
        (folder / breakage).unlink()
    else:
        template.write_text(breakage(template.read_text(encoding="utf-8")), encoding="utf-8")
    problems = check(template)[name]
    assert any(expected in problem for problem in problems), problems


def test_metadata_versions_need_commit_shas(tmp_path: Path) -> None:
    folder = tmp_path / "web-tag"
    shutil.copytree(WEB_TEMPLATE.parent, folder)
    (folder / "metadata.yaml").write_text('homepage: "https://example.com"\ndocumentation: "https://example.com/docs"\n'
                                          "versions:\n  - sha: main\n    changeNotes: ''\n", encoding="utf-8")
    assert check(folder / "template.tpl")["metadata"] == [
        "metadata.yaml: versions[0].sha is not a commit sha", "metadata.yaml: versions[0].changeNotes is empty"]
