"""The runner keeps GTM's test semantics and sandbox limits: a scenario that passes here means what it does in GTM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.gtm.node_runner import run
from tests.gtm.template_builder import permission, web_template

LOGGING = permission("logging", environments="debug")
CODE = ("const logToConsole = require('logToConsole');\n"
        "logToConsole('value', data.value);\n"
        "if (data.value === 'bad') { data.gtmOnFailure(); } else { data.gtmOnSuccess(); }")


def results(tmp_path: Path, code: str, scenarios: str, setup: str = "") -> dict[str, dict[str, Any]]:
    tests = "scenarios:\n" + scenarios + ("setup: |-\n" + setup if setup else "")
    _, report = run("test", web_template(tmp_path, code, [LOGGING], tests))
    return {result["name"]: result for result in report["results"]}


def test_assertions_and_fail_decide_the_outcome(tmp_path: Path) -> None:
    outcome = results(tmp_path, CODE, (
        "- name: passes\n  code: |-\n    runCode({value: 'good'});\n    assertApi('gtmOnSuccess').wasCalled();\n"
        "- name: wrong expectation\n  code: |-\n    runCode({value: 'bad'});\n"
        "    assertApi('gtmOnSuccess').wasCalled();\n"
        "- name: wrong value\n  code: |-\n    assertThat(runCode({value: 'good'})).isEqualTo(1);\n"
        "- name: fails\n  code: |-\n    fail('on purpose');\n"))
    assert outcome["passes"]["passed"]
    assert outcome["wrong expectation"]["problems"] == ["expected gtmOnSuccess to be called"]
    assert outcome["wrong value"]["problems"] == ["expected undefined to equal 1"]
    assert outcome["fails"]["problems"] == ["on purpose"]


def test_setup_runs_before_each_scenario_and_nothing_leaks_between_them(tmp_path: Path) -> None:
    setup = "  let calls = 0;\n  mock('logToConsole', () => { calls += 1; });\n"
    outcome = results(tmp_path, CODE, (
        "- name: first\n  code: |-\n    runCode({value: 'a'});\n    assertThat(calls).isEqualTo(1);\n"
        "- name: second\n  code: |-\n    runCode({value: 'a'});\n    runCode({value: 'b'});\n"
        "    assertThat(calls).isEqualTo(2);\n    assertApi('logToConsole').wasCalledWith('value', 'b');\n"), setup)
    assert [result["passed"] for result in outcome.values()] == [True, True], outcome


def test_the_sandbox_has_no_node_and_only_gtms_standard_library(tmp_path: Path) -> None:
    probes = {
        "no process": "process.exit(1);",
        "no Math without require": "Math.random();",
        "no charCodeAt": "'a'.charCodeAt(0);",
        "no hasOwnProperty": "({}).hasOwnProperty('a');",
        "no way out through constructors": "(function () {}).constructor.constructor('return process')();",
    }
    for name, code in probes.items():
        folder = tmp_path / name.replace(" ", "-")
        folder.mkdir()
        outcome = results(folder, code + "\ndata.gtmOnSuccess();", f"- name: {name}\n  code: runCode({{}});\n")[name]
        assert not outcome["passed"], name
        assert any("TypeError" in p or "ReferenceError" in p for p in outcome["problems"]), outcome
