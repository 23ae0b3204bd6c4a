"""The Procfile as a platform runs it: release, then web and worker processes, each its own command."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.support.gateway import WRITE, base_config
from tests.support.receiver import Receiver
from tests.support.server import TAGWAY, free_port, write_config

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(TAGWAY).parent


def procfile() -> dict[str, list[str]]:
    """Process type → command, as a platform reads the Procfile."""
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def test_release_web_and_worker_store_and_deliver(tmp_path: Path) -> None:
    entries = procfile()
    assert set(entries) == {"web", "worker", "release"}
    receiver = Receiver()
    config = base_config(tmp_path / "gateway.db")
    config["destinations"] = [{"id": "crm", "type": "webhook", "url": f"{receiver.url}/in"}]
    path = write_config(tmp_path / "tagway.toml", config)
    port = free_port()
    # What a platform provides: the config through the environment, $PORT, the app's folder as cwd.
    env = {**os.environ, "TAGWAY_CONFIG": str(path), "PORT": str(port),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    release = subprocess.run(entries["release"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert release.returncode == 0, release.stderr
    processes = [subprocess.Popen(entries[name], cwd=ROOT, env=env, start_new_session=True,
                                  stdout=(tmp_path / f"{name}.log").open("wb"), stderr=subprocess.STDOUT)
                 for name in ("web", "worker")]
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        answer = requests.post(f"{url}/v1/events", json={"id": "procfile-1", "name": "Lead"}, headers=WRITE,
                               timeout=10)
        assert answer.status_code == 200, answer.text
        while time.monotonic() < deadline and not receiver.received:
            time.sleep(0.1)
        assert [r.events()[0]["id"] for r in receiver.received] == ["procfile-1"], "the worker process delivered"
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        receiver.close()
