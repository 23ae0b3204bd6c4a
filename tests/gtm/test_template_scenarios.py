"""Every ___TESTS___ scenario of both templates passes in the local runner (one test per scenario)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gtm.node_runner import TEMPLATES, scenario_names, scenario_results

SCENARIOS = [(template, name) for template in TEMPLATES for name in scenario_names(template)]


@pytest.mark.parametrize(("template", "scenario"), SCENARIOS,
                         ids=[f"{template.parent.name}: {name}" for template, name in SCENARIOS])
def test_scenario_passes(template: Path, scenario: str) -> None:
    result = scenario_results(template)[scenario]
    assert result["passed"], "\n".join(result["problems"]) + "\nlogs:\n" + "\n".join(result["logs"])


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.parent.name)
def test_every_scenario_ran(template: Path) -> None:
    # The runner ran exactly the scenarios the file declares: none skipped, none invented.
    assert sorted(scenario_results(template)) == sorted(scenario_names(template))
    assert len(scenario_names(template)) >= 10
