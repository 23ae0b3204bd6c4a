"""PostgreSQL down when the gateway starts: the gateway (real gunicorn, 2 workers) stays up answering 503, and takes
events as soon as the database is back, without a restart."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import tomli_w

from tests.reliability.faults import CLIENT_TIMEOUT, Ledger, assert_unavailable, gateway, health, readiness
from tests.support.gateway import ADMIN, base_config
from tests.support.postgres import server_binaries
from tests.support.server import TAGWAY, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


class Server:
    """A PostgreSQL server on one data folder that the test stops and starts again, as an outage does."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.binaries = server_binaries()
        # Not under pytest's tmp_path: the server may run as `postgres`, who cannot enter root's folders.
        self.base = Path(tempfile.mkdtemp(prefix="tagway-pg-outage-"))
        self.data, self.sockets = self.base / "data", self.base / "sockets"
        self.sockets.mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.base, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "tagway", "-E", "UTF8", "--locale=C")
        self.url = f"postgresql://tagway@127.0.0.1:{port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.base / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run([*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                        str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server(free_port())
    try:
        yield running
    finally:
        running.remove()


@pytest.mark.parametrize("migrated", [True, False], ids=["migrated", "never-migrated"])
def test_a_gateway_started_without_its_database_answers_503_then_works_without_a_restart(
        tmp_path: Path, server: Server, migrated: bool) -> None:
    config = base_config(tmp_path / "unused.db")
    config["storage"] = {"url": server.url}
    config["delivery"] = {"in_process": False}
    path = tmp_path / "tagway.toml"
    path.write_bytes(tomli_w.dumps(config).encode())
    upgrade = [TAGWAY, "-c", str(path), "db", "upgrade"]
    if migrated:
        server.start()
        subprocess.run(upgrade, check=True, capture_output=True)
        server.stop()

    with gateway(path, tmp_path / "gateway.log", ready=False) as running:
        assert "could not apply migrations" in running.log(), "serve says why it did not migrate"
        ledger = Ledger(running.url)
        for _ in range(4):  # fresh connections: both workers booted and answer
            assert_unavailable(ledger.send())
            assert health(running.url) == 200
            status, body = readiness(running.url)
            assert (status, body["reason"]) == (503, "unreachable")
        server.start()
        if not migrated:  # back, but older than the code: never written to until it is upgraded
            status, body = readiness(running.url)
            assert (status, body["reason"]) == (503, "outdated")
            assert_unavailable(ledger.send())
            subprocess.run(upgrade, check=True, capture_output=True)
        assert readiness(running.url)[0] == 200
        ledger.resend_refused()
        for _ in range(4):
            assert ledger.send().status_code == 200
        assert running.process.poll() is None, "the same gateway, never restarted"
        listed = requests.get(f"{running.url}/v1/events", params={"limit": 200}, headers=ADMIN,
                              timeout=CLIENT_TIMEOUT).json()
        assert {item["event"]["id"] for item in listed["items"]} == ledger.acknowledged
