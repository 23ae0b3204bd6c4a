"""The repository's own side of the adapter contract suite.

The suite itself is the pytest plugin `adapters.contract` (installed with tagway): it collects every
`tests/adapters/<name>/cases/` folder as that adapter's contract tests. These checks make sure every built-in
adapter is covered by it.
"""

from __future__ import annotations

from pathlib import Path

from adapters.testing import cases_in, signer_beside
from app.registry import discover_adapters

HERE = Path(__file__).resolve().parent
BUILT_IN = discover_adapters(extra_entry_points=[])  # an installed third-party adapter brings its own cases


def test_every_built_in_adapter_has_fixture_cases() -> None:
    missing = [name for name in BUILT_IN if not cases_in(HERE / name / "cases")]
    assert not missing, f"adapters without fixture cases in tests/adapters/<name>/cases/: {missing}"


def test_every_case_folder_belongs_to_a_registered_adapter() -> None:
    folders = sorted(p.parent.name for p in HERE.glob("*/cases") if p.is_dir())
    orphans = [name for name in folders if name not in BUILT_IN]
    assert not orphans, f"case folders whose name is no registered adapter (folder name = adapter name): {orphans}"


def test_every_webhook_adapter_declares_how_a_test_signs_for_it() -> None:
    """The contract suite's mutation test signs mutated requests again with the signer beside the cases."""
    unsigned = [name for name, adapter in BUILT_IN.items()
                if adapter.receives_webhooks and signer_beside(HERE / name / "cases") is None]
    assert not unsigned, f"webhook adapters without tests/adapters/<name>/signer.py: {unsigned}"
