"""tagway-web as a bundler sees it: its types hold a site's calls, and a bundled app sends through a real gateway."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.sdk.conftest import SDK, SITE_KEY, Site, stored, wait_for

pytestmark = pytest.mark.e2e

USAGE = """import { tagway, createTagway } from "tagway-web";
tagway("boot", { writeKey: "wk", memberId: "m", memberHash: "h", consent: "pending" });
tagway("track", "UserChatOpen", { chatChannel: "web", unread: 2 });
tagway("identify", "m", { traits: { plan: "pro" } });
tagway("consent", { analytics: "granted" });
createTagway(window)("page");
// @ts-expect-error: not a command
tagway("shutdown");
// @ts-expect-error: boot needs a write key
tagway("boot", {});
"""


def test_the_types_accept_the_documented_calls_and_refuse_others(node: None, tmp_path: Path) -> None:
    (tmp_path / "usage.ts").write_text(USAGE)
    (tmp_path / "tsconfig.json").write_text(json.dumps({"files": ["usage.ts"], "compilerOptions": {
        "strict": True, "noEmit": True, "module": "esnext", "moduleResolution": "bundler", "target": "es2020",
        "lib": ["es2020", "dom"], "paths": {"tagway-web": [str(SDK / "types" / "index.d.ts")]}}}))
    checked = subprocess.run([str(SDK / "node_modules" / ".bin" / "tsc"), "-p", str(tmp_path)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stdout  # an unused @ts-expect-error would fail it too


def test_an_app_bundled_with_the_es_module_sends_its_events(node: None, tmp_path: Path, site: Site) -> None:
    subprocess.run(["node", "build.mjs", "--out", str(tmp_path)], cwd=SDK, check=True)
    (tmp_path / "app.js").write_text(
        'import { tagway } from "tagway-web";\n'
        f'tagway("boot", {{writeKey: "{SITE_KEY}", endpoint: "{site.gateway.url}"}});\n'
        'tagway("track", "BundledClick", {from: "esbuild"});\n')
    subprocess.run([str(SDK / "node_modules" / ".bin" / "esbuild"), "app.js", "--bundle", "--format=iife",
                    f"--alias:tagway-web={tmp_path / 'index.mjs'}", "--outfile=bundle.js", "--log-level=warning"],
                   cwd=tmp_path, check=True)
    bundle = (tmp_path / "bundle.js").read_text()
    site.open("/bundled", f"<!doctype html><title>Bundled</title><script>{bundle}</script>")
    events = wait_for(lambda: stored(site.gateway, "site", "/bundled"), lambda found: len(found) >= 2)
    assert [e["name"] for e in events] == ["PageView", "BundledClick"]
    assert events[1]["properties"] == {"from": "esbuild"}
