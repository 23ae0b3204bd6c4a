"""`tagway adapters new`: the scaffolded adapter registers, and its first case passes the contract suite as written."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from app.registry import ENTRY_POINT_GROUP, discover_adapters

BIN = Path(sys.executable).parent
NAME = "fabrikam"  # a top-level module name in this test: the scaffold goes to a temporary root, not adapters/


def tagway(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "tagway"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A root holding the scaffolded adapter `fabrikam`."""
    made = tagway("adapters", "new", NAME, "--title", "Fabrikam Store", "--path", tmp_path, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    return tmp_path


def test_the_scaffold_writes_the_adapter_its_readme_first_case_and_signer(root: Path) -> None:
    for path in ("adapters/fabrikam/__init__.py", "adapters/fabrikam/README.md",
                 "tests/adapters/fabrikam/cases/bad_signature.json", "tests/adapters/fabrikam/signer.py"):
        assert (root / path).is_file(), path
    lint = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--config", str(Path.cwd() / "pyproject.toml"),
                           str(root)], capture_output=True, text=True, timeout=60, check=False)
    assert lint.returncode == 0, lint.stdout


def test_the_scaffolded_adapter_passes_the_registry_validation(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(root / "adapters"))
    point = EntryPoint(name=NAME, value=f"{NAME}:adapter", group=ENTRY_POINT_GROUP)
    adapter = discover_adapters(extra_entry_points=[point])[NAME]
    assert adapter.title == "Fabrikam Store" and adapter.receives_webhooks


def test_the_first_case_passes_the_contract_suite_as_generated(root: Path) -> None:
    # Registered as an installed package would be (a dist-info with the entry point), so that the contract
    # plugin finds the adapter without the scaffold touching this checkout's adapters/ folder.
    dist_info = root / "site" / "fabrikam_scaffold-0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: fabrikam-scaffold\nVersion: 0\n")
    (dist_info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{NAME} = {NAME}:adapter\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "adapters"), str(root / "site")]),
           "PYTHONDONTWRITEBYTECODE": "1"}
    # The pytest script, not `python -m pytest`, and elsewhere than the root: a working directory on sys.path
    # holding an adapters/ folder would shadow the adapters package. Hypothesis writes its database there.
    elsewhere = root / "run"
    elsewhere.mkdir()
    ran = subprocess.run([str(BIN / "pytest"), "-p", "no:cacheprovider", "-v", str(root / "tests/adapters" / NAME)],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    passed = {line.split(" ")[0].rsplit("::", 1)[1] for line in ran.stdout.splitlines() if " PASSED" in line}
    assert passed == {"expected-events", "http-round-trip", "has-a-refused-credential-case",
                      "garbage-raises-only-payload-invalid", "readme-has-the-setup-steps"}, ran.stdout


@pytest.mark.parametrize("name, message", [
    ("Fabrikam", "is not a lower-case Python identifier"),
    ("fabrikam-store", "is not a lower-case Python identifier"),
    ("import", "not a keyword"),
    ("shopify", "an adapter named 'shopify' is registered already"),
    ("sdk", "is a module of the adapters package"),
])
def test_a_bad_or_taken_name_is_refused(name: str, message: str, tmp_path: Path) -> None:
    refused = tagway("adapters", "new", name, "--path", tmp_path, cwd=tmp_path)
    assert refused.returncode != 0 and message in refused.stderr, refused.stderr
    assert not any(tmp_path.iterdir())


def test_an_existing_folder_is_not_overwritten(root: Path) -> None:
    readme = root / "adapters" / NAME / "README.md"
    readme.write_text("mine")
    again = tagway("adapters", "new", NAME, "--path", root, cwd=root)
    assert again.returncode != 0 and "exists already" in again.stderr
    assert readme.read_text() == "mine"
