"""Driving the GTM template runner (Node: tests/gtm/runner/cli.js) from pytest."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RUNNER_DIR = REPO / "tests" / "gtm"
CLI = RUNNER_DIR / "runner" / "cli.js"
ENSURE_NODE = REPO / "scripts" / "ensure-node"
WEB_TEMPLATE = REPO / "gtm_templates" / "web-tag" / "template.tpl"
SERVER_TEMPLATE = REPO / "gtm_templates" / "server-tag" / "template.tpl"
TEMPLATES = (WEB_TEMPLATE, SERVER_TEMPLATE)
CHECKS = ("sections", "info", "syntax", "fields", "permissions", "tests", "metadata", "files")


class RunnerError(RuntimeError):
    """The runner could not do its job (as opposed to reporting a failed test or check)."""


@functools.cache
def node() -> str:
    """The node executable, after scripts/ensure-node installed what is missing (once per session)."""
    done = subprocess.run([str(ENSURE_NODE)], capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RunnerError(f"scripts/ensure-node failed ({done.returncode}):\n{done.stderr}")
    found = shutil.which("node")
    if found is None:
        raise RunnerError("scripts/ensure-node succeeded but node is not on PATH")
    return found


def run(command: str, template: Path, *args: str, spec: dict[str, Any] | None = None,
        timeout: float = 300) -> tuple[int, Any]:
    """`node cli.js COMMAND TEMPLATE ARGS` (SPEC on stdin): its exit code and its JSON report."""
    done = subprocess.run([node(), str(CLI), command, str(template), *args], capture_output=True, text=True,
                          input=json.dumps(spec) if spec is not None else None, timeout=timeout, check=False)
    if done.returncode not in (0, 1):
        raise RunnerError(f"the runner failed ({done.returncode}) on {command} {template}:\n{done.stderr}")
    return done.returncode, json.loads(done.stdout)


@functools.cache
def scenario_names(template: Path) -> tuple[str, ...]:
    """The names of the template's ___TESTS___ scenarios, in file order."""
    _, report = run("scenarios", template)
    if report["problems"]:
        raise RunnerError(f"{template}: " + "; ".join(report["problems"]))
    return tuple(report["scenarios"])


@functools.cache
def scenario_results(template: Path) -> dict[str, dict[str, Any]]:
    """Every scenario of the template run once (one Node process), by name."""
    _, report = run("test", template)
    return {result["name"]: result for result in report["results"]}


def check(template: Path) -> dict[str, list[str]]:
    """The template check: problems by check name."""
    _, report = run("check", template)
    return dict(report["checks"])


def fire(template: Path, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Real mode: the template's code against a gateway; one report per firing."""
    _, report = run("fire", template, "-", spec=spec)
    return list(report["firings"])
