"""The built tagway.js: committed and not stale against its source, within its size budget, packable for npm."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from app.sdk import BUILT_FILE, GZIP_BUDGET_BYTES, browser_script
from tests.sdk.conftest import ROOT, SDK

BUILT = ROOT / "app" / "sdk" / BUILT_FILE


def gzipped_size(body: bytes) -> int:
    """What a browser downloads with Content-Encoding: gzip at the best level."""
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def test_the_committed_file_is_built_from_the_current_source(node: None, tmp_path: Path) -> None:
    subprocess.run(["node", "build.mjs", "--out", str(tmp_path)], cwd=SDK, check=True)
    assert (tmp_path / BUILT_FILE).read_bytes() == BUILT.read_bytes(), \
        "app/sdk/tagway.min.js is stale: run `npm run build` in sdk/web and commit it"


def test_the_built_file_stays_within_its_budget() -> None:
    size = gzipped_size(BUILT.read_bytes())
    assert size <= GZIP_BUDGET_BYTES, f"tagway.js is {size} bytes gzipped, over its {GZIP_BUDGET_BYTES}-byte budget"


def test_the_served_version_is_the_packages_version() -> None:
    package = json.loads((SDK / "package.json").read_text())
    assert browser_script().version == package["version"]


def test_npm_pack_ships_the_es_module_and_its_types(node: None) -> None:
    packed = subprocess.run(["npm", "pack", "--dry-run", "--json", "--loglevel=error"], cwd=SDK, check=True,
                            capture_output=True, text=True)
    files = {entry["path"] for entry in json.loads(packed.stdout)[0]["files"]}
    assert {"dist/index.mjs", "types/index.d.ts", "package.json", "README.md"} <= files
    exported = subprocess.run(
        ["node", "--input-type=module", "-e",
         "import * as m from './dist/index.mjs'; console.log(Object.keys(m).sort().join(','))"],
        cwd=SDK, check=True, capture_output=True, text=True).stdout.strip()
    assert exported == "createTagway,tagway"
